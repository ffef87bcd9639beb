"""Erasure requests, disposal certificates, retention policies and processors.

Nothing here holds personal data: customers are named by id while their erasure is
under way and by pseudonym in every record that outlives them.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedTextField, VaultRowIdField
from vault.keys import SYSTEM_SUBJECT


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed, we are retrying")


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
    certificate_id = models.UUIDField(
        null=True, blank=True, editable=False, help_text="The certificate's id, known before."
    )
    language = models.CharField(max_length=16, blank=True, help_text="Of the person's mail.")
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
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A running erasure's worker renews this as it goes; once it lapses "
        "(the worker died), the sweep resumes the erasure.",
    )
    lease_holder = models.CharField(
        max_length=64, blank=True, help_text="The job (Celery task id) that holds the lease."
    )
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
    UNCONVERTED_LEADS = "unconverted_leads", "leads not converted, no contact for the period"


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
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="Where it processes the data: a two-letter country code (ISO 3166), "
        "e.g. ID, SG, US. Blank means the controller's own country.",
    )
    transfer_safeguard = models.CharField(
        max_length=300,
        blank=True,
        help_text="For a country other than the controller's: the safeguard for the "
        "transfer (adequacy decision, standard contractual clauses, ...).",
    )
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


# Data carriers: every place customer data lives outside the running database's rows
# (disks, backup media, workstations, removable media, exported files, processors'
# copies), and the record of how each was wiped (NIST SP 800-88 Rev. 1). The register
# holds no personal data: labels and locations are staff's free text about equipment,
# categories are registry names, people are staff users.


class CarrierKind(models.TextChoices):
    DATABASE_DISK = "database-disk", _("Database server disk")
    BACKUP_MEDIUM = "backup-medium", _("Backup medium")
    WORKSTATION = "workstation", _("Workstation")
    REMOVABLE_MEDIUM = "removable-medium", _("Removable medium")
    EXPORTED_FILE = "exported-file", _("Exported file")
    PROCESSOR_COPY = "processor-copy", _("Processor copy")


# Copies the system makes by itself, each with an expiry.
AUTOMATIC_KINDS = (CarrierKind.EXPORTED_FILE, CarrierKind.PROCESSOR_COPY)


class CarrierStatus(models.TextChoices):
    IN_SERVICE = "in-service", _("In service")
    RETIRED = "retired", _("Retired")
    LOST = "lost", _("Lost")
    # Recorded by one person, not yet confirmed by a second one signed in as themselves.
    AWAITING_VERIFICATION = "awaiting-verification", _("Awaiting verification")
    SANITIZED = "sanitized", _("Sanitized")


# What a carrier may hold besides registry categories.
KEY_STORE = "key_store"


class DataCarrier(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=CarrierKind.choices)
    label = models.CharField(max_length=200, help_text="Staff's words for the equipment.")
    location = models.CharField(max_length=200, blank=True)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custodian_of_carriers",
    )
    holds = models.JSONField(
        default=list, blank=True, help_text='Registry categories, or "key_store".'
    )
    backups_up_to = models.DateField(
        null=True, blank=True, help_text="For backups: the newest data the medium holds."
    )
    encrypted = models.BooleanField(default=False)
    encryption = models.CharField(max_length=200, blank=True, help_text="How it is encrypted.")
    status = models.CharField(
        max_length=30, choices=CarrierStatus.choices, default=CarrierStatus.IN_SERVICE
    )
    source = models.CharField(
        max_length=20, blank=True, help_text="For automatic copies: what made them."
    )
    processor = models.ForeignKey(
        "disposal.Processor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carriers",
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.CharField(max_length=100)
    expires_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    lost_at = models.DateTimeField(null=True, blank=True)
    sanitized_at = models.DateTimeField(null=True, blank=True)
    destroyed_confirmed_at = models.DateTimeField(null=True, blank=True)
    destroyed_confirmed_by = models.CharField(max_length=100, blank=True)
    unreadable_since = models.DateTimeField(
        null=True, blank=True, help_text="The master key its key-store backups need was retired."
    )
    unreadable_key = models.CharField(max_length=16, blank=True, help_text="That key's id.")

    class Meta:
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["kind", "status", "expires_at"], name="carrier_expiry_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sanitized") | models.Q(sanitized_at__isnull=False),
                name="carrier_sanitized_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.short_id}"

    @property
    def short_id(self) -> str:
        return str(self.pk)[:8]

    @property
    def holds_key_store(self) -> bool:
        return KEY_STORE in self.holds


class SanitizationMethod(models.TextChoices):
    CLEAR = "clear", _("Clear (overwrite through the device's normal interface)")
    PURGE = "purge", _("Purge (firmware erase, degauss, or equivalent)")
    DESTROY = "destroy", _("Destroy (shred, disintegrate, incinerate)")
    CRYPTO_ERASE = "crypto-erase", _("Cryptographic erase (the keys are destroyed)")


class SanitizationRecord(models.Model):
    """How one carrier was sanitized, after NIST SP 800-88: method, tool or procedure,
    who performed and recorded it and who (someone else, signed in as themselves)
    verified it, when. The certificate. Unverified until `verified_by` is set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    carrier = models.OneToOneField(
        DataCarrier, on_delete=models.PROTECT, related_name="sanitization"
    )
    method = models.CharField(max_length=20, choices=SanitizationMethod.choices)
    tool = models.CharField(max_length=200, blank=True, help_text="Tool or procedure used.")
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    performed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.CharField(max_length=100)

    class Meta:
        ordering = ["-performed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(performed_by=models.F("verified_by")),
                name="sanitization_verifier_is_not_performer",
            ),
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True, verified_at__isnull=True)
                | models.Q(verified_by__isnull=False, verified_at__isnull=False),
                name="sanitization_verified_with_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Sanitization {self.pk}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class IncidentKind(models.TextChoices):
    LOST_CARRIER = "lost-carrier", _("A data carrier was lost")
    BREACH = "breach", _("A personal-data breach")


class IncidentDecision(models.TextChoices):
    NONE_NEEDED = "none-needed", _("No notification needed (unlikely to result in a risk)")
    AUTHORITY = "authority", _("Authority notified")
    AUTHORITY_AND_CUSTOMERS = "authority-and-customers", _("Authority and customers notified")


# How long the controller has to tell the supervisory authority, counted from when it
# became aware of the breach: GDPR Art. 33(1) says 72 hours, Indonesia's personal data
# protection law (UU 27/2022, Art. 46(1)) says "3 x 24 hours". Both are shown.
GDPR_NOTIFICATION_HOURS = 72
UU_PDP_NOTIFICATION_HOURS = 3 * 24


class Incident(models.Model):
    """A possible personal-data breach for the privacy desk to judge (GDPR Art. 33-34,
    UU 27/2022 Art. 46): a lost carrier, or a breach a privacy officer recorded. It lists
    which categories and how many customers are affected, whether the data was
    encrypted, and whom it was reported to: counts and categories, never whose data. It
    lives in disposal, beside the carriers that raise it, because the privacy app sits
    above disposal and reads it from there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        max_length=20, choices=IncidentKind.choices, default=IncidentKind.LOST_CARRIER
    )
    carrier = models.ForeignKey(
        DataCarrier, on_delete=models.PROTECT, related_name="incidents", null=True, blank=True
    )
    # What happened, in words without personal data (the form says so).
    summary = models.CharField(max_length=500, blank=True)
    discovered_at = models.DateTimeField()
    categories = models.JSONField(default=list)
    customers_affected = models.PositiveIntegerField(null=True, blank=True)
    encrypted = models.BooleanField()
    encryption = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.CharField(max_length=100)
    decision = models.CharField(max_length=30, choices=IncidentDecision.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="lost-carrier") | models.Q(carrier__isnull=False),
                name="incident_lost_carrier_names_carrier",
            ),
        ]

    def __str__(self) -> str:
        return f"Incident {self.pk}"

    @property
    def short_id(self) -> str:
        return str(self.pk)[:8]

    @property
    def gdpr_deadline(self):
        return self.discovered_at + timedelta(hours=GDPR_NOTIFICATION_HOURS)

    @property
    def uu_pdp_deadline(self):
        return self.discovered_at + timedelta(hours=UU_PDP_NOTIFICATION_HOURS)


class ReportRecipient(models.TextChoices):
    AUTHORITY = "authority", _("Supervisory authority (GDPR)")
    MINISTRY = "ministry", _("Personal data protection authority (Indonesia, UU 27/2022)")
    CUSTOMERS = "customers", _("Affected customers")
    CONTROLLER = "controller", _("Controller or client we process for")
    POLICE = "police", _("Police")
    OTHER = "other", _("Someone else")


class IncidentReport(models.Model):
    """Whom an incident was reported to, when, and the reference they gave (no personal
    data: the customers notified are a count)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    recipient = models.CharField(max_length=20, choices=ReportRecipient.choices)
    reported_at = models.DateTimeField()
    reference = models.CharField(max_length=200, blank=True)
    customers_notified = models.PositiveIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.CharField(max_length=100)

    class Meta:
        ordering = ["reported_at", "recorded_at"]

    def __str__(self) -> str:
        return f"Report {self.pk} of incident {self.incident_id}"
