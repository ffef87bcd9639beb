"""The one table access keeps: reasons staff typed when revealing a customer's data.

The audit row of a reveal names its purpose by code ("request:<id>", "reason:<id>"); a
typed reason is free text that may mention the customer, so it lives here, encrypted
under the customer's key (erasure shreds it), never in the audit log.
"""

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
