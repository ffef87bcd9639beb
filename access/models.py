"""Access's tables: reasons staff typed when revealing a customer's data, and the
privacy officers' "reviewed" marks on the access review.

The audit row of a reveal names its purpose by code ("request:<id>", "reason:<id>"); a
typed reason is free text that may mention the customer, so it lives here, encrypted
under the customer's key (erasure shreds it), never in the audit log.
"""

from django.conf import settings
from django.db import models

from vault.fields import EncryptedTextField, VaultRowIdField


class RevealReason(models.Model):
    subject_id = models.UUIDField(db_index=True)
    purpose = models.CharField(max_length=50, help_text='The audit purpose, "reason:<id>".')
    reason = EncryptedTextField(subject="subject_id")
    vault_row_id = VaultRowIdField()  # binds the reason's ciphertext to this row
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Reveal reason {self.pk}"


class AccessReview(models.Model):
    """A privacy officer's "reviewed" mark on one audit event of the access review (a
    reveal or a view of a customer's data). Audit rows are append-only, so the mark lives
    here; marking writes its own audit event, which never holds the note.

    The note is staff free text that may mention the customer: encrypted under the
    customer's key. Erasure pseudonymizes the row (the mark stays, the note is shredded
    with the key)."""

    event = models.OneToOneField(
        "audit.AuditEvent", on_delete=models.PROTECT, related_name="access_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    subject_id = models.UUIDField(null=True, blank=True, db_index=True)
    subject_pseudonym = models.UUIDField(null=True, blank=True)
    note = EncryptedTextField(subject="subject_id", null=True, blank=True)
    vault_row_id = VaultRowIdField()

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Review of audit event {self.event_id}"
