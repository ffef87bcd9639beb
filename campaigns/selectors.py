"""Campaign reads for the dashboard: lists, progress of a send, the call list, results.

Results are measured without tracking anyone: no open pixel, no per-person link. A
campaign's outcome is the share of its contacted recipients who bought an offered item
(any item, when the campaign had no offers) within `results_days` of being contacted,
against the same share in the hold-out group drawn at random at send time, who were
never contacted. Only counts leave this module.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils.translation import gettext as _

from access.policy import AssignedItem
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Group,
    Recipient,
    RecipientStatus,
    Segment,
)
from customers.models import Purchase


def segment_list():
    return Segment.objects.annotate(used=Count("campaigns"))


def campaign_list():
    return Campaign.objects.select_related("segment")


def campaign_get(campaign_id) -> Campaign | None:
    try:
        return campaign_list().filter(pk=uuid.UUID(str(campaign_id))).first()
    except ValueError:
        return None


@dataclass(frozen=True)
class Progress:
    total: int
    counts: dict[str, int]  # RecipientStatus value -> recipients
    skipped: dict[str, int]  # SkipReason value -> recipients

    @property
    def done(self) -> int:
        return self.total - self.counts.get(RecipientStatus.PENDING, 0)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def progress(campaign: Campaign) -> Progress:
    counts = dict(
        campaign.recipients.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    skipped = dict(
        campaign.recipients.filter(status=RecipientStatus.SKIPPED)
        .values("skip_reason")
        .annotate(n=Count("id"))
        .values_list("skip_reason", "n")
    )
    return Progress(sum(counts.values()), counts, skipped)


def call_list(campaign: Campaign):
    """Phone: the recipients still to call, oldest first (ids only; agents open the
    customer's masked profile and reveal the number there, with the call as purpose)."""
    if campaign.channel != Channel.PHONE:
        return Recipient.objects.none()
    return campaign.recipients.filter(group=Group.TARGET, status=RecipientStatus.PENDING)


def open_call_lists():
    """Running phone campaigns, for the agents' start page."""
    return Campaign.objects.filter(channel=Channel.PHONE, status=CampaignStatus.SENDING)


def open_calls_of(customer_id: uuid.UUID, *, claimed_by: str):
    """Calls of running phone campaigns that this agent has claimed for one customer:
    only the agent working the entry may reveal the number for it."""
    return Recipient.objects.filter(
        customer_id=customer_id,
        status=RecipientStatus.PENDING,
        group=Group.TARGET,
        claimed_by=claimed_by,
        campaign__channel=Channel.PHONE,
        campaign__status=CampaignStatus.SENDING,
    ).select_related("campaign")


def calls_as_assigned_items(user_id: int, customer_id: uuid.UUID) -> list[AssignedItem]:
    return [
        AssignedItem(
            "call",
            str(row.pk),
            _("Call for campaign %(name)s") % {"name": row.campaign.name},
        )
        for row in open_calls_of(customer_id, claimed_by=f"staff:{user_id}")
    ]


@dataclass(frozen=True)
class GroupOutcome:
    size: int
    buyers: int

    @property
    def rate(self) -> float | None:
        return self.buyers / self.size if self.size else None


@dataclass(frozen=True)
class Results:
    days: int
    offered_items_only: bool
    contacted: GroupOutcome
    held_out: GroupOutcome

    @property
    def uplift_points(self) -> float | None:
        """Percentage points the contacted group's rate is above the hold-out's."""
        if self.contacted.rate is None or self.held_out.rate is None:
            return None
        return round((self.contacted.rate - self.held_out.rate) * 100, 1)


def results(campaign: Campaign) -> Results:
    rows = list(
        campaign.recipients.filter(
            status__in=[RecipientStatus.SENT, RecipientStatus.HELD_OUT], sent_at__isnull=False
        ).values_list("customer_id", "group", "offered", "sent_at")
    )
    window = timedelta(days=campaign.results_days)
    bought: dict = defaultdict(list)
    if rows:
        start = min(row[3] for row in rows)
        end = max(row[3] for row in rows) + window
        lines = Purchase.objects.filter(
            customer_id__in={row[0] for row in rows}, purchased_at__gt=start, purchased_at__lte=end
        ).values_list("customer_id", "product__sku", "purchased_at")
        for customer_id, sku, when in lines:
            bought[customer_id].append((sku, when))
    sizes, buyers = defaultdict(int), defaultdict(int)
    for customer_id, group, offered, sent_at in rows:
        sizes[group] += 1
        wanted = set(offered) if campaign.include_offers else None
        if any(
            sent_at < when <= sent_at + window and (wanted is None or sku in wanted)
            for sku, when in bought[customer_id]
        ):
            buyers[group] += 1
    return Results(
        days=campaign.results_days,
        offered_items_only=campaign.include_offers,
        contacted=GroupOutcome(sizes[Group.TARGET], buyers[Group.TARGET]),
        held_out=GroupOutcome(sizes[Group.HOLDOUT], buyers[Group.HOLDOUT]),
    )
