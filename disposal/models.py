"""Erasure requests, disposal certificates, retention policies and processors.

Nothing here holds personal data: customers are named by id while their erasure is
under way and by pseudonym in every record that outlives them.
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models

from vault.fields import EncryptedTextField, VaultRowIdField
from vault.keys import SYSTEM_SUBJECT


class ErasureStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ErasureSource(models.TextChoices):
    API = "api"
    PORTAL = "portal"
    STAFF = "staff"
    CONSENT = "consent", "account consent withdrawn"
    RETENTION = "retention"
    REPLAY = "replay", "re-applied after a restore"


class ErasureStep(models.TextChoices):
    KEY_DESTROYED = "key_destroyed"
    FORGOTTEN = "forgotten", "derived data forgotten"
    PROCESSORS_NOTIFIED = "processors_notified"
    ROWS_ERASED = "rows_erased"
    CERTIFIED = "certified"


class ErasureRequest(models.Model):
    """A right-to-erasure request and its progress through the pipeline's steps.

    `subject_id` names the customer while the erasure runs and is cleared when it is
    done, so that no table of the data database holds the erased customer's id next to
    their pseudonym; the request stays as the proof of what was asked and done. A
    repeated request finds it through the pseudonym (a keyed hash of the id).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject_id = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="Cleared once the erasure is done."
    )
    subject_pseudonym = models.UUIDField(db_index=True)
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    source = models.CharField(max_length=10, choices=ErasureSource.choices)
    requested_by = models.CharField(max_length=100)
    requested_at = models.DateTimeField(auto_now_add=True)
    due_by = models.DateField(help_text="One calendar month after the request (GDPR Art. 12(3)).")
    extended_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.CharField(max_length=500, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    rows_erased = models.JSONField(default=dict, blank=True, help_text="Rows deleted per category.")
    rows_pseudonymized = models.JSONField(
        default=dict, blank=True, help_text="Rows kept but unlinked, per category."
    )
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True, help_text="An error class, never data.")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_id"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_open_erasure_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"Erasure {self.pk} ({self.status})"

    def has_done(self, step: ErasureStep) -> bool:
        return step in self.steps_done


class DisposalKind(models.TextChoices):
    ERASURE = "erasure"
    RETENTION = "retention"


class DisposalRecord(models.Model):
    """The certificate of one disposal: what went, how and when. No personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=DisposalKind.choices)
    erasure_request = models.OneToOneField(
        ErasureRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    subject_pseudonym = models.UUIDField(null=True, blank=True, db_index=True)
    categories = models.JSONField(default=list, help_text="Data categories disposed of.")
    method = models.JSONField(default=dict, help_text="How each category went.")
    rows_removed = models.JSONField(default=dict, help_text="Rows deleted per category.")
    rows_pseudonymized = models.JSONField(
        default=dict, blank=True, help_text="Rows kept but unlinked, per category."
    )
    legal_holds = models.JSONField(default=dict, help_text="Kept rows and why, per category.")
    key_destroyed_at = models.DateTimeField(null=True, blank=True)
    backup_horizon = models.DateField(
        null=True, blank=True, help_text="The last key-store backup holding the key expires."
    )
    processors_notified = models.JSONField(default=list)
    policy = models.CharField(max_length=50, blank=True, help_text="Retention policy applied.")
    cutoff = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Disposal {self.pk} ({self.kind})"


class RetentionCategory(models.TextChoices):
    INACTIVE_CUSTOMERS = "inactive_customers", "customers inactive for the period (erased)"
    INTERACTIONS = "interactions", "service interactions older than the period"
    PURCHASE_DETAIL = "purchase_detail", "purchase lines older than the period"


# Below this many days a policy is a mistake more often than a decision (0 would erase
# every inactive customer at the next nightly run): it takes a forced, counted change.
RETENTION_FLOOR_DAYS = 30


class RetentionPolicy(models.Model):
    category = models.CharField(max_length=30, choices=RetentionCategory.choices, unique=True)
    keep_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    below_floor_forced = models.BooleanField(
        default=False,
        help_text=f"keep_days under {RETENTION_FLOOR_DAYS} was forced after a dry run; "
        "without it such a policy is skipped.",
    )
    active = models.BooleanField(default=True)
    reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category"]
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"{self.category}: {self.keep_days} days"

    @property
    def is_below_floor(self) -> bool:
        return self.keep_days < RETENTION_FLOOR_DAYS


class Processor(models.Model):
    """A sub-supplier that may receive customer data under a data-processing agreement."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        blank=True,
        help_text="How the API names it (`processor` of a disclosure); from the name if empty.",
    )
    agreement_reference = models.CharField(max_length=100, help_text="The DPA's reference.")
    agreement_signed_on = models.DateField()
    agreement_ends_on = models.DateField(null=True, blank=True)
    categories = models.JSONField(default=list, help_text="Data categories the DPA covers.")
    webhook_url = models.URLField()
    webhook_secret = EncryptedTextField(subject="vault_subject")
    vault_row_id = VaultRowIdField()  # binds the secret's ciphertext to this row
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    vault_subject = SYSTEM_SUBJECT  # a system secret, not a customer's data

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Disclosure(models.Model):
    """Which processor received which categories of a customer's data, and when."""

    processor = models.ForeignKey(Processor, on_delete=models.PROTECT, related_name="disclosures")
    customer_id = models.UUIDField(null=True, blank=True, db_index=True)
    subject_pseudonym = models.UUIDField(null=True, blank=True)
    categories = models.JSONField(default=list)
    disclosed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disclosed_at"]

    def __str__(self) -> str:
        return f"Disclosure {self.pk} to {self.processor_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(models.Model):
    """The outbox: one signed erasure notice to one processor, retried with backoff.

    The body names the customer by the id the processor was given. That id is kept
    sealed under the vault's system key (never in clear: the erasure is done before
    every processor has answered) and cleared once the processor has acknowledged it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    processor = models.ForeignKey(Processor, on_delete=models.PROTECT, related_name="deliveries")
    erasure_request = models.ForeignKey(
        ErasureRequest, on_delete=models.PROTECT, related_name="deliveries"
    )
    notice_customer_id = EncryptedTextField(subject="vault_subject", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    vault_subject = SYSTEM_SUBJECT  # sealed under the system key, not the customer's

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "erasure_request"], name="one_delivery_per_processor"
            )
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"
