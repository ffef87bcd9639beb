"""The storefront change feed: an append-only list of which customer changed, how and
when. Ids and kinds only, never a personal value; the id is the feed's cursor.

An `erased` entry outlives the customer: it names them by an id sealed under the vault's
system key (never in clear, like an unacknowledged erasure notice) and goes with every
other entry after CHANGES_KEEP_DAYS.
"""

from django.db import models
from django.utils import timezone

from vault.fields import EncryptedTextField, VaultRowIdField
from vault.keys import SYSTEM_SUBJECT


class ChangeKind(models.TextChoices):
    CREATED = "created"
    UPDATED = "updated"
    CONSENT = "consent"
    ERASED = "erased"


class Change(models.Model):
    id = models.BigAutoField(primary_key=True)
    customer_id = models.UUIDField(null=True, blank=True, db_index=True)
    erased_customer_id = EncryptedTextField(subject="vault_subject", null=True, blank=True)
    vault_row_id = VaultRowIdField()  # binds the sealed id to this row
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    vault_subject = SYSTEM_SUBJECT  # the sealed id is under the system key

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="erased", customer_id__isnull=True)
                | (~models.Q(kind="erased") & models.Q(customer_id__isnull=False)),
                name="change_erased_entries_hold_no_clear_id",
            )
        ]

    def __str__(self) -> str:
        return f"change {self.pk} ({self.kind})"
