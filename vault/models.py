"""The key store's one table. It lives in the `keys` database (see routers.py)."""

from django.db import models


class DataKey(models.Model):
    """A customer's data key (DEK), wrapped by a master key.

    Destroying the key (crypto-shredding) clears `wrapped_key` and keeps the row as a
    tombstone, so that reads can tell an erased subject from a missing key.
    """

    subject_id = models.UUIDField(primary_key=True)
    wrapped_key = models.BinaryField(null=True)
    master_key_id = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destroyed_at__isnull=True, wrapped_key__isnull=False)
                | models.Q(destroyed_at__isnull=False, wrapped_key__isnull=True),
                name="datakey_live_or_destroyed",
            )
        ]

    def __str__(self) -> str:
        return f"data key of {self.subject_id}"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class Tombstone(models.Model):
    """The erasure log: which subject (by pseudonym) was erased, and when.

    It lives in the key store, whose backups are kept apart from the data database's, so
    after a restore of the data database `replay_erasures` can find every customer the
    backup brings back. It holds no personal data and no raw customer id.
    """

    pseudonym = models.UUIDField(primary_key=True)
    erased_at = models.DateTimeField()
    request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["erased_at"]

    def __str__(self) -> str:
        return f"tombstone {self.pseudonym}"
