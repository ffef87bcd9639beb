"""Segments, campaigns and their recipients. No personal values here: a segment is a
set of criteria over non-sensitive facts, a recipient row links a customer id to a
campaign (registered personal data: exported and erased with the customer)."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    POST = "post", _("Post")
    PHONE = "phone", _("Phone")


# The consent purpose each channel needs; nobody is contacted without it.
PURPOSE_OF_CHANNEL = {
    Channel.EMAIL: "marketing_email",
    Channel.POST: "marketing_post",
    Channel.PHONE: "marketing_phone",
}


class SpendBand(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Segment(models.Model):
    """Who a campaign is for, by criteria that reveal nothing sensitive. Empty criteria
    match every customer; the channel's consent and restriction apply at count and send
    time whatever the criteria say."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    categories = models.JSONField(
        default=list, blank=True, help_text="Bought from any of these (non-sensitive) categories."
    )
    bought_within_days = models.PositiveIntegerField(null=True, blank=True)
    not_bought_within_days = models.PositiveIntegerField(null=True, blank=True)
    min_orders = models.PositiveIntegerField(null=True, blank=True)
    max_orders = models.PositiveIntegerField(null=True, blank=True)
    spend_band = models.CharField(max_length=10, choices=SpendBand.choices, blank=True)
    joined_from = models.DateField(null=True, blank=True)
    joined_to = models.DateField(null=True, blank=True)
    consent_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    created_by = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=150, blank=True)
    body = models.TextField(blank=True, help_text="Plain text; the same for every recipient.")
    include_offers = models.BooleanField(default=False)
    offers_limit = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    holdout_percent = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(50)]
    )
    results_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    processor = models.ForeignKey(
        "disposal.Processor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text="Post only: the mailing house that receives the address list.",
    )
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    # Scheduled: beat starts the send at this time (campaigns.tasks.start_due_campaigns).
    send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    scheduled_by = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(holdout_percent__lte=50), name="campaign_holdout_at_most_half"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def purpose(self) -> str:
        return PURPOSE_OF_CHANNEL[Channel(self.channel)]


class Group(models.TextChoices):
    TARGET = "target", _("Contacted")
    HOLDOUT = "holdout", _("Hold-out")


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Interrupted")  # a worker took it and died before it was done
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    HELD_OUT = "held_out", _("Held out")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("No consent for the channel")
    RESTRICTED = "restricted", _("Processing restricted")
    NO_CONTACT = "no_contact", _("No address or number for the channel")
    ERASED = "erased", _("Being erased")
    NO_ANSWER = "no_answer", _("Did not answer")
    EXPIRED = "expired", _("The call list ended first")


class CallOutcome(models.TextChoices):
    """What an agent records after calling an entry of a call list."""

    TALKED = "talked", _("Talked about the offers")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Call back later")
    NOT_INTERESTED = "not_interested", _("Not interested")
    DO_NOT_CALL = "do_not_call", _("Do not call again")


class Recipient(models.Model):
    """One customer in one campaign: the unit of idempotency. A worker claims a pending
    row (committed) before it contacts the customer, and never contacts anyone whose
    row is not pending, so a retried or restarted send contacts nobody twice."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="campaign_recipients"
    )
    group = models.CharField(max_length=10, choices=Group.choices)
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    offered = models.JSONField(default=list, blank=True, help_text="Skus of the offers chosen.")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Phone: the agent working this entry (an actor id, "staff:<pk>") and since when;
    # nobody else may claim it while the claim is fresh.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices, blank=True)
    call_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_recipient_once")
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"Recipient {self.pk} of {self.campaign_id}"
