"""The safety net before a campaign goes out: how many it will reach, hold out and
leave out; the message as one recipient of the segment would get it (their offers, the
address masked); a test send to the staff member's own address; a time to send it
(beat starts it: campaigns.tasks.start_due_campaigns); editing and deleting drafts.

Nothing here contacts a customer. The preview reads one customer's address only to show
it masked, and records that it did (ids only)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from access.display import SENSITIVE_ITEM
from access.policy import is_sensitive_category, may_see_sensitive_items
from audit.models import AuditAction
from audit.services import SYSTEM, record_event
from campaigns import segments, services
from campaigns.messages import offered_products
from campaigns.models import Campaign, CampaignStatus, Channel
from customers.models import Customer
from recommendations.offers import offers_for
from runtime.links import public_reverse
from vault.masking import mask_email


@dataclass(frozen=True)
class SendCounts:
    """What a send would do now: contacted, held out (drawn at random, never
    contacted), and left out by reason (SkipReason values)."""

    contacted: int
    held_out: int
    left_out: int
    reasons: dict[str, int] = field(default_factory=dict)


def send_counts(campaign: Campaign) -> SendCounts:
    """The same counts the send will make: the audience now, and the hold-out share
    start_send draws (rounded down)."""
    audience = segments.audience(campaign.segment, campaign.channel)
    held = audience.eligible * campaign.holdout_percent // 100
    return SendCounts(
        contacted=audience.eligible - held,
        held_out=held,
        left_out=audience.excluded_total,
        reasons={reason: n for reason, n in audience.excluded.items() if n},
    )


@dataclass(frozen=True)
class Offer:
    name: str
    price: object


@dataclass(frozen=True)
class Preview:
    position: int
    total: int
    to: str
    subject: str
    text: str
    offers: list[Offer]


def _offers(campaign: Campaign, customer_id, *, user) -> list[Offer]:
    if not campaign.include_offers:
        return []
    skus = [offer.sku for offer in offers_for(customer_id, limit=campaign.offers_limit)]
    plain = may_see_sensitive_items(user)
    return [
        Offer(str(SENSITIVE_ITEM), None)
        if not plain and is_sensitive_category(product.category)
        else Offer(product.name, product.price)
        for product in offered_products(skus)
    ]


def _text(campaign: Campaign, offers: list[Offer], unsubscribe_url: str) -> str:
    context = {
        "campaign": campaign,
        "paragraphs": [part for part in campaign.body.replace("\r", "").split("\n\n") if part],
        "offers": offers,
        "unsubscribe_url": unsubscribe_url,
    }
    return render_to_string("campaigns/email/campaign.txt", context)


@transaction.atomic
def preview(*, campaign: Campaign, position: int, user, actor: str) -> Preview | None:
    """The message as the `position`-th (1-based) customer the send would reach gets
    it, with their offers and their address masked; None when nobody is reached."""
    ids = segments.audience(campaign.segment, campaign.channel, with_ids=True).customer_ids
    if not ids:
        return None
    position = min(max(position, 1), len(ids))
    customer_id = ids[position - 1]
    offers = _offers(campaign, customer_id, user=user)
    customer = Customer.objects.get(pk=customer_id)
    to = mask_email(customer.email) if campaign.channel == Channel.EMAIL else ""
    record_event(
        actor=actor,
        action=AuditAction.CAMPAIGN_PREVIEWED,
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        subject_id=customer_id,
        purpose="marketing",
        metadata={"position": position},
    )
    placeholder = _("(their own unsubscribe link)")
    return Preview(
        position=position,
        total=len(ids),
        to=to,
        subject=campaign.subject,
        text=_text(campaign, offers, placeholder),
        offers=offers,
    )


def send_test(*, campaign: Campaign, position: int, user, actor: str) -> None:
    """Mail the message, as the `position`-th recipient would get it, to the staff
    member's own address only (marked as a test; its unsubscribe link opens the
    portal's choices, withdrawing nothing)."""
    if campaign.channel != Channel.EMAIL:
        raise ValidationError({"__all__": [_("Only an email campaign can be sent as a test.")]})
    if not user.email:
        raise ValidationError(
            {"__all__": [_("Your account has no email address: ask an administrator to add one.")]}
        )
    errors = services.campaign_errors(campaign)
    if errors:
        raise ValidationError(errors)
    shown = preview(campaign=campaign, position=position, user=user, actor=actor)
    offers = shown.offers if shown else []
    link = public_reverse("portal:consents")
    context = {
        "campaign": campaign,
        "paragraphs": [part for part in campaign.body.replace("\r", "").split("\n\n") if part],
        "offers": offers,
        "unsubscribe_url": link,
    }
    message = EmailMultiAlternatives(
        subject=_("[Test] %(subject)s") % {"subject": campaign.subject},
        body=_text(campaign, offers, link),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("campaigns/email/campaign.html", context), "text/html"
    )
    message.send()
    with transaction.atomic():
        record_event(
            actor=actor,
            action=AuditAction.CAMPAIGN_TEST_SENT,
            object_type="campaigns.campaign",
            object_id=campaign.pk,
            purpose="marketing",
            metadata={"position": shown.position if shown else 0},
        )


def _event(campaign: Campaign, actor: str, action: AuditAction, **metadata) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        purpose="marketing",
        metadata={"channel": campaign.channel, **metadata},
    )


@transaction.atomic
def schedule(*, campaign_id: uuid.UUID, send_at: datetime, actor: str) -> Campaign:
    """Send a draft at a time: beat starts it then, with the audience of that moment."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError({"send_at": [_("Only a draft can be scheduled.")]})
    if send_at <= timezone.now():
        raise ValidationError({"send_at": [_("Choose a time in the future.")]})
    errors = services.campaign_errors(campaign)
    if errors:
        raise ValidationError(errors)
    campaign.status = CampaignStatus.SCHEDULED
    campaign.send_at = send_at
    campaign.scheduled_by = actor
    campaign.save(update_fields=["status", "send_at", "scheduled_by"])
    _event(campaign, actor, AuditAction.CAMPAIGN_SCHEDULED, send_at=send_at.isoformat())
    return campaign


@transaction.atomic
def unschedule(*, campaign_id: uuid.UUID, actor: str, reason: str = "") -> Campaign:
    """Back to a draft (to edit it, or not to send it); a send already started stays."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED:
        return campaign
    campaign.status = CampaignStatus.DRAFT
    campaign.send_at = None
    campaign.save(update_fields=["status", "send_at"])
    _event(campaign, actor, AuditAction.CAMPAIGN_UNSCHEDULED, reason=reason)
    return campaign


def start_scheduled(*, campaign_id: uuid.UUID) -> bool:
    """Start a scheduled campaign that is due, as the person who scheduled it confirmed
    it. A campaign that can no longer be sent (say, its mailing house's agreement ended)
    goes back to a draft, recorded, instead of being tried every minute. True if started."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != CampaignStatus.SCHEDULED or campaign.send_at > timezone.now():
            return False
        actor = campaign.scheduled_by or SYSTEM
        campaign.status = CampaignStatus.DRAFT
        campaign.save(update_fields=["status"])
        try:
            with transaction.atomic():
                if campaign.channel == Channel.POST:
                    services.export_post(campaign_id=campaign.pk, actor=actor)
                else:
                    services.start_send(campaign_id=campaign.pk, actor=actor)
        except ValidationError:
            campaign.send_at = None
            campaign.save(update_fields=["send_at"])
            _event(campaign, SYSTEM, AuditAction.CAMPAIGN_UNSCHEDULED, reason="invalid")
            return False
    return True


def due_campaigns() -> list[uuid.UUID]:
    return list(
        Campaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=timezone.now())
        .order_by("send_at")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def delete_draft(*, campaign_id: uuid.UUID, actor: str) -> None:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError({"__all__": [_("Only a draft can be deleted.")]})
    _event(campaign, actor, AuditAction.CAMPAIGN_DELETED)
    campaign.delete()
