"""Purposes, their versioned notices, the consent ledger and its current-state table."""

import hashlib
import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LawfulBasis(models.TextChoices):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class ConsentSource(models.TextChoices):
    PORTAL = "portal"
    API = "api"
    STAFF = "staff"
    IMPORT = "import"
    UNSUBSCRIBE = "unsubscribe"  # the one-click link in a marketing message
    FORM = "form"  # a lead capture form, carried over when the lead became a customer


class NoticeDelivery(models.TextChoices):
    """How the notice reached a customer whose grant staff recorded (the evidence)."""

    READ_OUT = "read_out", _("Read out to the customer")
    SENT = "sent", _("Sent to the customer")


class NoticeLanguage(models.TextChoices):
    """The languages a notice is written in; English is the one every version has."""

    EN = "en", "English"
    ID = "id", "Bahasa Indonesia"


def notice_language(language_code: str | None) -> str:
    """The notice language for a Django language code (`en-gb` → `en`); English for any
    language no notice is written in."""
    base = (language_code or "").split("-")[0].lower()
    return base if base in NoticeLanguage.values else NoticeLanguage.EN


class Purpose(models.Model):
    code = models.SlugField(max_length=50, primary_key=True)
    name = models.CharField(max_length=100)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        """The name every page shows (consent.vocabulary), not the seed's stored label."""
        from consent.vocabulary import purpose_name

        return purpose_name(self.code)

    @property
    def description(self) -> str:
        """The vocabulary's one line on what the purpose does."""
        from consent.vocabulary import purpose_description

        return purpose_description(self.code)


class Notice(models.Model):
    """The text a customer was shown when deciding, in each language (`texts`); versions
    are never edited: a changed text is a new version."""

    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="notices")
    version = models.PositiveIntegerField()
    material = models.BooleanField(
        default=False,
        help_text="A material change: customers who agreed to an earlier version are asked "
        "to review this one.",
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="notice_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id} v{self.version}"

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def text_in(self, language: str | None = None) -> "NoticeText":
        """The text in `language` (a Django language code; the active one when None),
        English when the version has none in that language. Reads `texts`, so prefetch
        it (`current_notices` does)."""
        texts = {text.language: text for text in self.texts.all()}
        return texts.get(notice_language(language or get_language())) or texts[NoticeLanguage.EN]

    @property
    def text(self) -> str:
        """The text in the reader's (active) language."""
        return self.text_in().text

    def language_shown(self, language: str | None = None) -> str:
        """The language a reader of `language` is shown this version in (the evidence a
        consent records)."""
        return self.text_in(language).language


class NoticeText(models.Model):
    """One language's text of a notice version, with its SHA-256 (the evidence of the
    exact words shown)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=NoticeLanguage.choices)
    text = models.TextField()
    content_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["notice", "language"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "language"], name="notice_text_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice} ({self.language})"


class ConsentEvent(models.Model):
    """One grant or withdrawal. Append-only: the ledger is evidence. Erasure unlinks it
    from the customer (customer None, subject_pseudonym set); nothing else changes it."""

    customer = models.ForeignKey(
        "customers.Customer", null=True, on_delete=models.PROTECT, related_name="consent_events"
    )
    subject_pseudonym = models.UUIDField(null=True, blank=True, editable=False)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT)
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT)
    granted = models.BooleanField()
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    actor = models.CharField(max_length=100)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A choice made before it reached this ledger (a lead's consent, carried over when the
    # lead became a customer): when it was made and where (form slug, import source).
    given_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=100, blank=True)
    # A double opt-in grant's confirmation: when and how the person confirmed, and whether
    # the source (a storefront) ran it and vouched for it rather than our mailed link.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_method = models.CharField(max_length=50, blank=True)
    vouched = models.BooleanField(default=False)
    # A grant staff recorded for the customer: how the notice reached them.
    notice_delivery = models.CharField(
        max_length=20, choices=NoticeDelivery.choices, blank=True, default=""
    )
    # The language the notice was shown in (its text in that language is the evidence).
    notice_language = models.CharField(
        max_length=8, choices=NoticeLanguage.choices, default=NoticeLanguage.EN
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "purpose", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.purpose_id} {'granted' if self.granted else 'withdrawn'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent events are append-only.")
        super().save(*args, **kwargs)


class ConsentState(models.Model):
    """The latest event per (customer, purpose), kept in the same transaction as the
    ledger so that segment queries are one join instead of a latest-per-group scan."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consent_states"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT)
    granted = models.BooleanField()
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT)
    event = models.OneToOneField(ConsentEvent, on_delete=models.PROTECT)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "purpose"], name="consent_state_unique")
        ]
        indexes = [models.Index(fields=["purpose", "granted"])]

    def __str__(self) -> str:
        return f"{self.purpose_id}={'yes' if self.granted else 'no'}"


class ConsentConfirmation(models.Model):
    """A pending double opt-in: the grant takes effect only when the customer follows the
    signed link sent to their address. Bound to the customer, purpose and notice version
    shown; used once; expires. Holds no personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consent_confirmations"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT)
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT)
    notice_language = models.CharField(
        max_length=8, choices=NoticeLanguage.choices, default=NoticeLanguage.EN
    )
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set by the outbox job that mails the link (API grants), so a job run twice mails once.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Confirmation {self.pk} ({self.purpose_id})"
