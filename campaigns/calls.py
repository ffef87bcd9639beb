"""Call lists of phone campaigns: agents claim the next entry, record what happened,
and the list closes when nobody is left to call or when it expires. Each claim and each
recorded outcome is audited (who was handed whose call; ids and codes only).

A claim is one transaction: the next claimable row is locked with
`select_for_update(skip_locked=True)` where the database has it (PostgreSQL), and
taken with a conditional UPDATE either way, so two agents asking at once never get
the same customer. Consent and restriction are checked again at the claim (a customer
who withdrew is skipped, never handed to an agent). Rows hold ids only; the agent
reveals the number on the customer's page with the claimed call as the purpose.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event
from campaigns.models import (
    CallOutcome,
    Campaign,
    CampaignStatus,
    Channel,
    Group,
    Recipient,
    RecipientStatus,
    SkipReason,
)
from campaigns.services import _offers, _still_reachable, finish_send
from consent.models import ConsentSource
from consent.services import set_consent
from customers.models import Customer

# Outcomes after which the entry is done, and the status it ends in. A call back keeps
# the entry pending until its time.
_DONE_AS = {
    CallOutcome.TALKED: RecipientStatus.SENT,
    CallOutcome.NOT_INTERESTED: RecipientStatus.SENT,
    CallOutcome.DO_NOT_CALL: RecipientStatus.SENT,
    CallOutcome.NO_ANSWER: RecipientStatus.SKIPPED,
}


def closes_at(campaign: Campaign) -> datetime | None:
    """When a running call list stops handing out entries (CAMPAIGNS_CALL_LIST_DAYS)."""
    if campaign.started_at is None:
        return None
    return campaign.started_at + timedelta(days=settings.CAMPAIGNS_CALL_LIST_DAYS)


def _claimable(campaign: Campaign, now: datetime):
    stale = now - timedelta(minutes=settings.CAMPAIGNS_CALL_CLAIM_MINUTES)
    return campaign.recipients.filter(
        Q(claimed_by="") | Q(claimed_at__lt=stale),
        Q(call_back_at__isnull=True) | Q(call_back_at__lte=now),
        group=Group.TARGET,
        status=RecipientStatus.PENDING,
    )


def current_claim(*, campaign: Campaign, actor: str) -> Recipient | None:
    """The entry this agent holds on this list, if the claim is still fresh."""
    stale = timezone.now() - timedelta(minutes=settings.CAMPAIGNS_CALL_CLAIM_MINUTES)
    return campaign.recipients.filter(
        claimed_by=actor, claimed_at__gte=stale, status=RecipientStatus.PENDING
    ).first()


@transaction.atomic
def expire_call_list(*, campaign_id: uuid.UUID) -> bool:
    """Close a running call list past its time: entries left are skipped as expired
    and the campaign finishes. True when it closed it."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.channel != Channel.PHONE or campaign.status != CampaignStatus.SENDING:
        return False
    ends = closes_at(campaign)
    if ends is None or ends > timezone.now():
        return False
    campaign.recipients.filter(status=RecipientStatus.PENDING).update(
        status=RecipientStatus.SKIPPED, skip_reason=SkipReason.EXPIRED, claimed_by=""
    )
    return finish_send(campaign_id=campaign.pk)


def expire_call_lists() -> int:
    """Beat: close every call list past its time; returns how many closed."""
    running = Campaign.objects.filter(channel=Channel.PHONE, status=CampaignStatus.SENDING)
    return sum(expire_call_list(campaign_id=pk) for pk in running.values_list("pk", flat=True))


def _open_list(campaign_id: uuid.UUID) -> Campaign:
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.channel != Channel.PHONE or campaign.status != CampaignStatus.SENDING:
        raise ValidationError({"__all__": [_("This call list is closed.")]})
    return campaign


def claim_next_call(*, campaign_id: uuid.UUID, actor: str) -> Recipient | None:
    """Give the agent the next entry to call (the one they already hold, if any), or
    None when nobody is left to call now. Finishes the list when it is done or expired."""
    if expire_call_list(campaign_id=campaign_id):
        raise ValidationError({"__all__": [_("This call list is closed.")]})
    campaign = _open_list(campaign_id)
    held = current_claim(campaign=campaign, actor=actor)
    if held is not None:
        return held
    while True:
        recipient, skipped = _claim_one(campaign, actor)
        if recipient is not None:
            return recipient
        if not skipped:
            finish_send(campaign_id=campaign.pk)
            return None


@transaction.atomic
def _claim_one(campaign: Campaign, actor: str) -> tuple[Recipient | None, bool]:
    """One attempt: (the claimed entry, False), or (None, True) when the entry taken
    was no longer reachable and was skipped, or (None, False) when none is left."""
    now = timezone.now()
    # Call backs that are due come first, then the list in order.
    candidates = _claimable(campaign, now).order_by(F("call_back_at").asc(nulls_last=True), "id")
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    candidate = candidates.values_list("pk", flat=True).first()
    if candidate is None:
        return None, False
    taken = _claimable(campaign, now).filter(pk=candidate).update(claimed_by=actor, claimed_at=now)
    if not taken:
        return None, True  # another agent got there first; try the next one
    recipient = Recipient.objects.get(pk=candidate)
    reason = _still_reachable(recipient, campaign)
    if reason:
        recipient.status = RecipientStatus.SKIPPED
        recipient.skip_reason = reason
        recipient.claimed_by = ""
        recipient.save(update_fields=["status", "skip_reason", "claimed_by"])
        return None, True
    _record_call_event(recipient, AuditAction.CALL_CLAIMED, actor)
    return recipient, False


def _record_call_event(recipient: Recipient, action: AuditAction, actor: str, **metadata) -> None:
    """Who was handed whose call, and what they noted: ids and codes only."""
    record_event(
        actor=actor,
        action=action,
        object_type="campaigns.recipient",
        object_id=recipient.pk,
        subject_id=recipient.customer_id,
        purpose=f"call:{recipient.pk}",
        metadata={"campaign": str(recipient.campaign_id), **metadata},
    )


def record_call(
    *,
    recipient_id: int,
    actor: str,
    outcome: str,
    call_back_at: datetime | None = None,
) -> Recipient:
    """Record what happened on a claimed call. "Do not call" withdraws the customer's
    marketing_phone consent (staff, by phone, the agent as actor: audited by consent)."""
    with transaction.atomic():
        recipient = (
            Recipient.objects.select_for_update().select_related("campaign").get(pk=recipient_id)
        )
        _open_list(recipient.campaign_id)
        if recipient.status != RecipientStatus.PENDING or recipient.claimed_by != actor:
            raise ValidationError({"__all__": [_("Claim this entry before recording a call.")]})
        if outcome not in CallOutcome.values:
            raise ValidationError({"outcome": [_("Choose what happened on the call.")]})
        recipient.outcome = outcome
        recipient.claimed_by = ""
        if outcome == CallOutcome.CALL_BACK:
            _check_call_back(recipient.campaign, call_back_at)
            recipient.call_back_at = call_back_at
        else:
            recipient.status = _DONE_AS[CallOutcome(outcome)]
            if outcome == CallOutcome.NO_ANSWER:
                recipient.skip_reason = SkipReason.NO_ANSWER
            else:
                recipient.offered = _offers(recipient, recipient.campaign)
                recipient.sent_at = timezone.now()
        recipient.save()
        _record_call_event(recipient, AuditAction.CALL_RECORDED, actor, outcome=outcome)
        if outcome == CallOutcome.DO_NOT_CALL:
            set_consent(
                customer=Customer.objects.get(pk=recipient.customer_id),
                purpose=recipient.campaign.purpose,
                granted=False,
                source=ConsentSource.STAFF,
                actor=actor,
                channel=Channel.PHONE,
            )
    finish_send(campaign_id=recipient.campaign_id)
    return recipient


def _check_call_back(campaign: Campaign, when: datetime | None) -> None:
    if when is None:
        raise ValidationError({"call_back_at": [_("Say when to call back.")]})
    if when <= timezone.now():
        raise ValidationError({"call_back_at": [_("Call back at a time still to come.")]})
    ends = closes_at(campaign)
    if ends is not None and when >= ends:
        raise ValidationError({"call_back_at": [_("Call back before the call list closes.")]})
