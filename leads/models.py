"""Leads (prospects held only with their agreement and a recorded provenance), the
evidence of what each agreed to, pending double opt-ins, capture forms and deals.

A lead is a data subject of its own: its contact fields are encrypted under its own data
key (the vault's subject is the lead's id), exactly as a customer's are.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consent.models import NoticeLanguage
from customers.normalization import normalize_email, normalize_phone
from vault.fields import BlindIndexField, EncryptedTextField, VaultRowIdField


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class CaptureMethod(models.TextChoices):
    """How a lead reached us; also how each of its consents was given."""

    FORM = "form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    STAFF = "staff", _("Staff")


class Lead(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Contact fields; all None once the lead is converted (the customer holds them then).
    email = EncryptedTextField(null=True, blank=True)
    full_name = EncryptedTextField(null=True, blank=True)
    phone = EncryptedTextField(null=True, blank=True, help_text="E.164.")
    company = EncryptedTextField(null=True, blank=True)
    email_index = BlindIndexField(
        source="email", normalizer=normalize_email, null=True, blank=True, unique=True
    )
    phone_index = BlindIndexField(
        source="phone", normalizer=normalize_phone, null=True, blank=True, db_index=True
    )
    source = models.SlugField(max_length=100, help_text="Where the lead came from.")
    method = models.CharField(max_length=10, choices=CaptureMethod.choices)
    status = models.CharField(
        max_length=15, choices=LeadStatus.choices, default=LeadStatus.NEW, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    score = models.PositiveSmallIntegerField(default=0)
    # The next step the owner plans: a date and a short text (encrypted: staff may
    # write a name or a number in it).
    next_step = EncryptedTextField(null=True, blank=True)
    next_step_on = models.DateField(null=True, blank=True, db_index=True)
    contact_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_contact_at = models.DateTimeField(
        help_text="Last time the lead reached us or we reached them; retention counts from here."
    )
    qualified_at = models.DateTimeField(null=True, blank=True)
    disqualified_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_from",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source", "status"])]

    def __str__(self) -> str:
        return f"Lead {self.pk}"


class LeadNote(models.Model):
    """A note staff wrote on a lead (a call, a meeting, what was said): encrypted under
    the lead's key, so it goes with the lead when the lead is erased or converted."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(subject="lead_id")
    vault_row_id = VaultRowIdField()  # binds the note's ciphertext to this row
    author = models.CharField(max_length=100, help_text='"staff:<id>".')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Lead note {self.pk}"


class LeadConsent(models.Model):
    """The evidence of one choice a lead made: purpose, notice version shown, when, how
    (method) and where (channel: the form's slug, the import's source, the API key's
    prefix). Append-only; conversion copies it into the customer's consent ledger."""

    lead = models.ForeignKey(Lead, null=True, on_delete=models.SET_NULL, related_name="consents")
    subject_pseudonym = models.UUIDField(null=True, blank=True, editable=False)
    purpose = models.ForeignKey("consent.Purpose", on_delete=models.PROTECT)
    notice = models.ForeignKey("consent.Notice", on_delete=models.PROTECT)
    notice_language = models.CharField(  # the language of the text shown
        max_length=8, choices=NoticeLanguage.choices, default=NoticeLanguage.EN
    )
    granted = models.BooleanField(default=True)
    lawful_basis = models.CharField(max_length=30)
    method = models.CharField(max_length=10, choices=CaptureMethod.choices)
    channel = models.CharField(max_length=100)
    given_at = models.DateTimeField(help_text="When the person made the choice.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_at", "id"]

    def __str__(self) -> str:
        return f"{self.purpose_id} {'granted' if self.granted else 'withdrawn'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Lead consent evidence is append-only.")
        super().save(*args, **kwargs)


class LeadConfirmation(models.Model):
    """A pending double opt-in of a lead, like consent.ConsentConfirmation for customers:
    bound to the lead, purpose and notice version shown; used once; expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="confirmations")
    purpose = models.ForeignKey("consent.Purpose", on_delete=models.PROTECT)
    notice = models.ForeignKey("consent.Notice", on_delete=models.PROTECT)
    notice_language = models.CharField(  # the language of the text shown
        max_length=8, choices=NoticeLanguage.choices, default=NoticeLanguage.EN
    )
    method = models.CharField(max_length=10, choices=CaptureMethod.choices)
    channel = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Lead confirmation {self.pk} ({self.purpose_id})"


class LeadForm(models.Model):
    """An embeddable capture form at /forms/<slug>/: which purposes it offers."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    source = models.SlugField(max_length=100, help_text="The source its leads are counted under.")
    purposes = models.JSONField(default=list, help_text="Purpose codes offered, in order.")
    ask_phone = models.BooleanField(default=False)
    ask_company = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class DealStage(models.TextChoices):
    PROSPECTING = "prospecting", _("Prospecting")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(models.Model):
    """A sale in progress with a lead or a customer. `subject_id` is the one it is with
    (the lead's id, the customer's after conversion): export and erasure find it there."""

    title = models.CharField(max_length=100, help_text="No personal data: e.g. 'Annual plan'.")
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="deals"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deals",
    )
    subject_id = models.UUIDField(db_index=True)
    stage = models.CharField(
        max_length=15, choices=DealStage.choices, default=DealStage.PROSPECTING, db_index=True
    )
    value = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    expected_close = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead__isnull=False, customer__isnull=True)
                | models.Q(lead__isnull=True, customer__isnull=False),
                name="deal_with_lead_or_customer",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="deal_value_positive"),
        ]

    def __str__(self) -> str:
        return f"Deal {self.pk} ({self.stage})"
