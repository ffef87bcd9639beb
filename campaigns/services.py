"""Campaign writes: save segments and campaigns, start a send, send a batch, unsubscribe.

A send is resumable and never contacts anyone twice. `start_send` snapshots the
audience (segment, consent, restriction, contact, liveness) into one Recipient row per
customer (unique per campaign), draws the hold-out share at random, and records the
first batch job in the outbox, all in one transaction. `send_batch` claims each pending
row with a committed conditional UPDATE before contacting the customer and marks it sent
after: a worker killed or a task run twice finds the row no longer pending and moves on.
The one case the claim cannot settle (a worker killed between claiming and the mail
server's answer) is left "claimed" (shown as interrupted) and never retried: at most
once, never twice. Consent and restriction are checked again for each recipient at the
moment of sending, so a withdrawal after the snapshot still wins.
"""

import logging
import random
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import CUSTOMER
from audit.models import AuditAction
from audit.services import SYSTEM, record_event
from campaigns import messages, segments
from campaigns.models import (
    PURPOSE_OF_CHANNEL,
    Campaign,
    CampaignStatus,
    Channel,
    Group,
    Recipient,
    RecipientStatus,
    Segment,
    SkipReason,
)
from consent.models import ConsentSource
from consent.selectors import current_consents, has_consent
from consent.services import set_consent
from customers.models import Customer
from customers.selectors import live_customer_ids
from disposal.processors import record_disclosures
from outbox.services import enqueue
from recommendations.offers import offers_for

logger = logging.getLogger(__name__)
SEND_TASK = "campaigns.tasks.send_campaign_batch"
UNSUBSCRIBE_SALT = "custodian.campaigns.unsubscribe"


@transaction.atomic
def save_segment(*, segment: Segment, actor: str) -> Segment:
    segments.validate_criteria(segment)
    segment.created_by = segment.created_by or actor
    segment.full_clean(exclude=["created_by"])
    segment.save()
    record_event(
        actor=actor,
        action=AuditAction.SEGMENT_SAVED,
        object_type="campaigns.segment",
        object_id=segment.pk,
        purpose="marketing",
    )
    return segment


def campaign_errors(campaign: Campaign) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if campaign.channel == Channel.EMAIL:
        if not campaign.subject.strip():
            errors["subject"] = [_("An email needs a subject.")]
        if not campaign.body.strip():
            errors["body"] = [_("An email needs a message.")]
    if campaign.channel == Channel.POST:
        if campaign.processor_id is None:
            errors["processor"] = [_("Choose the mailing house that prints and posts it.")]
        else:
            problems = messages.post_agreement_errors(campaign.processor)
            if problems:
                errors["processor"] = problems
    return errors


@transaction.atomic
def save_campaign(*, campaign: Campaign, actor: str) -> Campaign:
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(
            {"__all__": [_("A campaign can be changed only while it is a draft.")]}
        )
    errors = campaign_errors(campaign)
    if errors:
        raise ValidationError(errors)
    campaign.created_by = campaign.created_by or actor
    campaign.full_clean(exclude=["created_by"])
    campaign.save()
    record_event(
        actor=actor,
        action=AuditAction.CAMPAIGN_SAVED,
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        purpose="marketing",
        metadata={"channel": campaign.channel},
    )
    return campaign


def _draw_holdout(customer_ids: list, percent: int) -> set:
    """A uniformly random `percent` share, drawn with the system's entropy at send time."""
    count = len(customer_ids) * percent // 100
    return set(random.SystemRandom().sample(customer_ids, count))


@transaction.atomic
def start_send(*, campaign_id: uuid.UUID, actor: str) -> Campaign:
    """Snapshot the audience into recipient rows, draw the hold-out, and hand the first
    batch to the workers (email) or open the call list (phone). Post goes through
    `messages.export_post_list` instead. Starting twice starts once."""
    campaign = Campaign.objects.select_for_update().select_related("segment").get(pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        return campaign
    errors = campaign_errors(campaign)
    if errors:
        raise ValidationError(errors)
    chosen = segments.audience(campaign.segment, campaign.channel, with_ids=True)
    ids = list(chosen.customer_ids)
    held = _draw_holdout(ids, campaign.holdout_percent)
    Recipient.objects.bulk_create(
        (
            Recipient(
                campaign=campaign,
                customer_id=customer_id,
                group=Group.HOLDOUT if customer_id in held else Group.TARGET,
            )
            for customer_id in ids
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    campaign.status = CampaignStatus.SENDING
    campaign.started_at = timezone.now()
    campaign.save(update_fields=["status", "started_at"])
    record_event(
        actor=actor,
        action=AuditAction.CAMPAIGN_STARTED,
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        purpose="marketing",
        metadata={
            "channel": campaign.channel,
            "recipients": len(ids) - len(held),
            "held_out": len(held),
            **{f"excluded_{reason}": count for reason, count in chosen.excluded.items()},
        },
    )
    if campaign.channel == Channel.EMAIL:
        enqueue(SEND_TASK, str(campaign.pk))
    else:
        # Post and phone hold out at once (with the offers they would have had); the
        # targets wait for the post export or for the agents' calls.
        for recipient in campaign.recipients.filter(group=Group.HOLDOUT):
            recipient.offered = _offers(recipient, campaign)
            recipient.status = RecipientStatus.HELD_OUT
            recipient.sent_at = timezone.now()
            recipient.save(update_fields=["offered", "status", "sent_at"])
    return campaign


@transaction.atomic
def export_post(*, campaign_id: uuid.UUID, actor: str) -> Campaign:
    """Post: snapshot the audience, record each address as disclosed to the campaign's
    processor (refused unless its agreement is active and covers the profile data),
    and hand the list to a worker that sends it to the processor. Never twice."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.channel != Channel.POST:
        raise ValidationError({"channel": [_("Only a post campaign exports an address list.")]})
    if campaign.status != CampaignStatus.DRAFT:
        return campaign
    campaign = start_send(campaign_id=campaign.pk, actor=actor)
    targets = list(campaign.recipients.filter(group=Group.TARGET, status=RecipientStatus.PENDING))
    record_disclosures(
        processor=campaign.processor,
        customer_ids=[recipient.customer_id for recipient in targets],
        categories=messages.POST_CATEGORIES,
        actor=actor,
    )
    now = timezone.now()
    for recipient in targets:
        recipient.offered = _offers(recipient, campaign)
        recipient.status = RecipientStatus.SENT
        recipient.sent_at = now
    Recipient.objects.bulk_update(targets, ["offered", "status", "sent_at"], batch_size=1000)
    finish_send(campaign_id=campaign.pk)
    enqueue("campaigns.tasks.deliver_post_list", str(campaign.pk))
    return Campaign.objects.get(pk=campaign.pk)


def deliver_post_list(*, campaign_id: uuid.UUID) -> int:
    campaign = Campaign.objects.select_related("processor").get(pk=campaign_id)
    return messages.deliver_post_list(campaign)


def _still_reachable(recipient: Recipient, campaign: Campaign) -> str:
    """ "" when the customer may be contacted now, else the SkipReason."""
    customer_id = recipient.customer_id
    if not live_customer_ids([customer_id]):
        return SkipReason.ERASED
    if Customer.objects.filter(pk=customer_id, processing_restricted_at__isnull=False).exists():
        return SkipReason.RESTRICTED
    if not has_consent(customer_id, campaign.purpose):
        return SkipReason.NO_CONSENT
    return ""


def _pause_for_tests(sent: int) -> None:
    """CAMPAIGNS_TEST_PAUSE="<n>:<seconds>": sleep after the n-th message of a process,
    so the worker test can kill a worker in the middle of a send."""
    spec = settings.CAMPAIGNS_TEST_PAUSE
    if spec and sent == int(spec.partition(":")[0]):
        time.sleep(float(spec.partition(":")[2]))


_sent_by_process = 0


def _offers(recipient: Recipient, campaign: Campaign) -> list[str]:
    if not campaign.include_offers:
        return []
    return [offer.sku for offer in offers_for(recipient.customer_id, limit=campaign.offers_limit)]


def send_batch(*, campaign_id: uuid.UUID, size: int | None = None) -> int:
    """Contact (or hold out) up to `size` pending recipients; returns how many are still
    pending. Each row is claimed by a committed UPDATE before anything is sent."""
    global _sent_by_process
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != CampaignStatus.SENDING or campaign.channel != Channel.EMAIL:
        return 0
    pending = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
    batch = list(
        pending.order_by("id").values_list("pk", flat=True)[: size or settings.CAMPAIGNS_BATCH_SIZE]
    )
    for recipient_id in batch:
        claimed = Recipient.objects.filter(pk=recipient_id, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.CLAIMED
        )
        if not claimed:
            continue  # another worker (or an earlier run) has it
        recipient = Recipient.objects.get(pk=recipient_id)
        reason = _still_reachable(recipient, campaign)
        if reason:
            Recipient.objects.filter(pk=recipient_id).update(
                status=RecipientStatus.SKIPPED, skip_reason=reason
            )
            continue
        offered = _offers(recipient, campaign)
        if recipient.group == Group.HOLDOUT:
            # Recorded, never mailed: what they would have been offered, for the results.
            Recipient.objects.filter(pk=recipient_id).update(
                status=RecipientStatus.HELD_OUT, offered=offered, sent_at=timezone.now()
            )
            continue
        try:
            messages.send_campaign_email(campaign=campaign, recipient=recipient, offered=offered)
        except Exception:
            # The mail server refused it: nothing went out, so it may be tried again.
            Recipient.objects.filter(pk=recipient_id).update(status=RecipientStatus.PENDING)
            raise
        Recipient.objects.filter(pk=recipient_id).update(
            status=RecipientStatus.SENT, offered=offered, sent_at=timezone.now()
        )
        _sent_by_process += 1
        _pause_for_tests(_sent_by_process)
    left = pending.count()
    if not left:
        finish_send(campaign_id=campaign.pk)
    return left


@transaction.atomic
def finish_send(*, campaign_id: uuid.UUID) -> bool:
    """Mark a send done once nothing is pending; True the one time it happens."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    pending = campaign.recipients.filter(status=RecipientStatus.PENDING).exists()
    if campaign.status != CampaignStatus.SENDING or pending:
        return False
    campaign.status = CampaignStatus.SENT
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    counts = {
        status: campaign.recipients.filter(status=status).count() for status in RecipientStatus
    }
    record_event(
        actor=SYSTEM,
        action=AuditAction.CAMPAIGN_FINISHED,
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        purpose="marketing",
        metadata={"channel": campaign.channel, **counts},
    )
    return True


@transaction.atomic
def schedule_next_batch(*, campaign_id: uuid.UUID) -> None:
    enqueue(SEND_TASK, str(campaign_id))


def stalled_sends() -> list[uuid.UUID]:
    """Email sends with pending recipients and no progress for CAMPAIGNS_STALL_MINUTES
    (a lost message or a dead worker): the sweep hands them to a worker again."""
    quiet = timezone.now() - timedelta(minutes=settings.CAMPAIGNS_STALL_MINUTES)
    sending = Campaign.objects.filter(
        status=CampaignStatus.SENDING, channel=Channel.EMAIL, started_at__lt=quiet
    )
    stalled = []
    for campaign in sending:
        recipients = campaign.recipients
        if not recipients.filter(status=RecipientStatus.PENDING).exists():
            finish_send(campaign_id=campaign.pk)
            continue
        if not recipients.filter(sent_at__gte=quiet).exists():
            stalled.append(campaign.pk)
    return stalled


# Unsubscribe: the link carries a signed token of ids only (customer, purpose, campaign)
# and when it was made. It works for CAMPAIGNS_UNSUBSCRIBE_DAYS and withdraws only a
# consent given before the message was sent: a link found later (in a log, a forwarded
# mail) cannot undo a choice the customer made since.


def unsubscribe_token(*, customer_id: uuid.UUID, purpose: str, campaign_id: uuid.UUID) -> str:
    return signing.dumps(
        {"c": str(customer_id), "p": purpose, "k": str(campaign_id), "t": time.time()},
        salt=UNSUBSCRIBE_SALT,
    )


class InvalidUnsubscribe(Exception):
    """A link we did not sign, whose customer is gone, or that has expired
    (`reason`: forged, gone, expired)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _unsubscribe_payload(token: str) -> dict:
    try:
        payload = signing.loads(
            token,
            salt=UNSUBSCRIBE_SALT,
            max_age=timedelta(days=settings.CAMPAIGNS_UNSUBSCRIBE_DAYS),
        )
    except signing.SignatureExpired as error:
        raise InvalidUnsubscribe("expired") from error
    except signing.BadSignature as error:
        raise InvalidUnsubscribe("forged") from error
    if not isinstance(payload, dict) or payload.get("p") not in PURPOSE_OF_CHANNEL.values():
        raise InvalidUnsubscribe("forged")
    return payload


def read_unsubscribe(token: str) -> tuple[Customer, str]:
    payload = _unsubscribe_payload(token)
    live = live_customer_ids([payload.get("c")])
    if not live:
        raise InvalidUnsubscribe("gone")
    return Customer.objects.get(pk=next(iter(live))), payload["p"]


@transaction.atomic
def unsubscribe(*, token: str) -> str:
    """Withdraw the purpose the link names (source `unsubscribe`) if it was granted
    before the link was made; a repeated click, or a click after the customer agreed
    again, changes nothing. Returns the purpose."""
    customer, purpose = read_unsubscribe(token)
    issued = _unsubscribe_payload(token).get("t")
    status = current_consents(customer.pk).get(purpose)
    granted_since = (
        issued is not None
        and status is not None
        and status.updated_at is not None
        and status.updated_at.timestamp() > float(issued)
    )
    if has_consent(customer.pk, purpose) and not granted_since:
        set_consent(
            customer=customer,
            purpose=purpose,
            granted=False,
            source=ConsentSource.UNSUBSCRIBE,
            actor=CUSTOMER,
        )
    return purpose
