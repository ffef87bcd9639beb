"""Who a segment matches, and who of them a channel may reach.

A segment's criteria are facts that reveal nothing sensitive: categories bought (never a
sensitive category: refused here, whatever the surface sends), recency, frequency and
spend band (RFM), join date and channel consent. Whatever the criteria say, a send
reaches only customers who are live, not restricted (GDPR Art. 18) and hold the
channel's marketing consent, and who have an address or number for the channel;
`audience` counts who is left out and why. No personal value is read or decrypted.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import category_filter_errors, filterable_categories
from campaigns.models import PURPOSE_OF_CHANNEL, Channel, Segment, SkipReason, SpendBand
from consent.models import ConsentState
from customers.models import Customer, Product, Purchase
from customers.selectors import live_customer_ids
from recommendations import policy


def selectable_categories() -> list[str]:
    """Categories a segment may name: every purchase category but the sensitive ones
    (access.policy, the one rule for lists and segments) and non-merchandise."""
    excluded = set(policy.ignored_categories())
    return [
        category
        for category in Product.objects.order_by("category")
        .values_list("category", flat=True)
        .distinct()
        if category not in excluded and category in filterable_categories([category])
    ]


def criteria_errors(segment: Segment) -> dict[str, list[str]]:
    """Business rules on criteria, by field (the form shows them as they are)."""
    errors: dict[str, list[str]] = {}
    categories = segment.categories
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        errors["categories"] = [_("Give the categories as a list of names.")]
    elif problems := category_filter_errors(categories):
        errors["categories"] = problems
    if (
        segment.min_orders is not None
        and segment.max_orders is not None
        and segment.min_orders > segment.max_orders
    ):
        errors["max_orders"] = [_("The most orders cannot be below the fewest.")]
    if segment.joined_from and segment.joined_to and segment.joined_from > segment.joined_to:
        errors["joined_to"] = [_("The end of the join dates cannot be before the start.")]
    return errors


def validate_criteria(segment: Segment) -> None:
    errors = criteria_errors(segment)
    if errors:
        raise ValidationError(errors)


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _spend_bounds(band: str) -> tuple[float | None, float | None]:
    low, high = [*settings.CAMPAIGNS_SPEND_BANDS, None, None][:2]
    return {
        SpendBand.LOW: (None, low),
        SpendBand.MEDIUM: (low, high),
        SpendBand.HIGH: (high, None),
    }[SpendBand(band)]


def matching(segment: Segment) -> QuerySet:
    """Every customer the criteria match (before consent and restriction)."""
    validate_criteria(segment)
    queryset = Customer.objects.all()
    now = timezone.now()
    mine = Purchase.objects.filter(customer=OuterRef("pk"))
    if segment.categories:
        queryset = queryset.filter(Exists(mine.filter(product__category__in=segment.categories)))
    if segment.bought_within_days is not None:
        since = now - timedelta(days=segment.bought_within_days)
        queryset = queryset.filter(Exists(mine.filter(purchased_at__gte=since)))
    if segment.not_bought_within_days is not None:
        since = now - timedelta(days=segment.not_bought_within_days)
        queryset = queryset.filter(~Exists(mine.filter(purchased_at__gte=since)))
    if segment.min_orders is not None or segment.max_orders is not None:
        orders = (
            mine.order_by()
            .values("customer")
            .annotate(n=Count("order_id", distinct=True))
            .values("n")
        )
        queryset = queryset.annotate(orders=Coalesce(Subquery(orders), 0))
        if segment.min_orders is not None:
            queryset = queryset.filter(orders__gte=segment.min_orders)
        if segment.max_orders is not None:
            queryset = queryset.filter(orders__lte=segment.max_orders)
    if segment.spend_band:
        money = DecimalField(max_digits=14, decimal_places=2)
        spend = (
            mine.order_by()
            .values("customer")
            .annotate(
                total=Sum(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=money))
            )
            .values("total")
        )
        queryset = queryset.annotate(spend=Coalesce(Subquery(spend), Value(0), output_field=money))
        low, high = _spend_bounds(segment.spend_band)
        if low is not None:
            queryset = queryset.filter(spend__gte=low)
        if high is not None:
            queryset = queryset.filter(spend__lt=high)
    if segment.joined_from:
        queryset = queryset.filter(created_at__gte=_day_start(segment.joined_from))
    if segment.joined_to:
        queryset = queryset.filter(created_at__lt=_day_start(segment.joined_to + timedelta(1)))
    if segment.consent_channel:
        queryset = queryset.filter(Exists(_granted(PURPOSE_OF_CHANNEL[segment.consent_channel])))
    return queryset


def _granted(purpose: str) -> QuerySet:
    return ConsentState.objects.filter(customer=OuterRef("pk"), purpose_id=purpose, granted=True)


@dataclass(frozen=True)
class Audience:
    """A segment seen through a channel: how many the criteria match, how many may be
    contacted, and how many were left out, by reason (SkipReason values)."""

    matched: int
    eligible: int
    excluded: dict[str, int] = field(default_factory=dict)
    customer_ids: tuple = ()

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def audience(segment: Segment, channel: str, *, with_ids: bool = False) -> Audience:
    """Who of the segment the channel may reach now. The reasons are checked in order
    (restricted, no consent, no contact, being erased) and each customer left out is
    counted once, under the first that applies."""
    channel = Channel(channel)
    base = matching(segment).order_by()
    restricted = base.filter(processing_restricted_at__isnull=False)
    usable = base.filter(processing_restricted_at__isnull=True)
    consenting = usable.filter(Exists(_granted(PURPOSE_OF_CHANNEL[channel])))
    reachable = consenting
    if channel is Channel.POST:
        reachable = consenting.filter(postal_address__isnull=False)
    elif channel is Channel.PHONE:
        reachable = consenting.filter(phone__isnull=False)
    ids = list(reachable.values_list("pk", flat=True))
    live = live_customer_ids(ids)
    matched = base.count()
    consenting_count = consenting.count()
    excluded = {
        SkipReason.RESTRICTED.value: restricted.count(),
        SkipReason.NO_CONSENT.value: usable.count() - consenting_count,
        SkipReason.NO_CONTACT.value: consenting_count - len(ids),
        SkipReason.ERASED.value: len(ids) - len(live),
    }
    kept = tuple(sorted(live)) if with_ids else ()
    return Audience(matched=matched, eligible=len(live), excluded=excluded, customer_ids=kept)
