"""Access reads: the access review of the privacy desk. Every reveal and every view of a
customer's personal data by staff, as audit rows record it, with the flags a privacy
officer looks at first and the "reviewed" marks (access.models.AccessReview).

Flags:
- break-glass: a reveal whose purpose is a typed reason ("reason:<id>"), or any event
  whose metadata says `"review": "break_glass"`;
- self-made: an event whose metadata says `"review": "self_made"` (work the staff member
  opened or took themselves);
- volume: a reveal by a staff member who revealed more than
  `ACCESS_REVIEW_DAILY_REVEALS` times that local day.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.display import field_labels, purpose_kind, purpose_kind_label
from access.models import AccessReview
from access.roles import STAFF_PREFIX, Role
from audit.models import AuditAction, AuditEvent

ACTIONS = (AuditAction.CUSTOMER_REVEALED, AuditAction.CUSTOMER_VIEWED)
BREAK_GLASS, SELF_MADE = "break_glass", "self_made"
ROLE_CODES = frozenset(role.value for role in Role)


class Flag(StrEnum):
    BREAK_GLASS = "break_glass"
    SELF_MADE = "self_made"
    VOLUME = "volume"

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self])


FLAG_LABELS = {
    Flag.BREAK_GLASS: _("Break-glass reason"),
    Flag.SELF_MADE: _("Self-made access"),
    Flag.VOLUME: _("Unusual volume"),
}


class Show(StrEnum):
    ALL = "all"
    FLAGGED = "flagged"
    TO_REVIEW = "to_review"  # flagged and not yet reviewed


@dataclass(frozen=True)
class AccessFilters:
    staff_id: int | None = None
    purpose_kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    show: Show = Show.ALL


@dataclass
class AccessRow:
    event: AuditEvent
    username: str
    role: str
    action: str
    fields: list[str]
    customer: str  # the customer's short id (masked), or "" once erased
    customer_id: uuid.UUID | None
    purpose: str
    flags: list[Flag] = field(default_factory=list)
    review: AccessReview | None = None
    form: object = None  # the surface's "mark reviewed" form, when it offers one

    @property
    def flag_labels(self) -> list[str]:
        return [flag.label for flag in self.flags]


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)


def _base(filters: AccessFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(action__in=ACTIONS, actor__startswith=STAFF_PREFIX)
    if filters.staff_id:
        events = events.filter(actor=f"{STAFF_PREFIX}{filters.staff_id}")
    if filters.date_from:
        events = events.filter(occurred_at__gte=_local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        events = events.filter(occurred_at__lt=_local_day_bounds(filters.date_to)[1])
    return events


def heavy_days(filters: AccessFilters) -> set[tuple[str, date]]:
    """(actor, local day) pairs with more reveals than the daily threshold."""
    threshold = settings.ACCESS_REVIEW_DAILY_REVEALS
    rows = (
        _base(filters)
        .filter(action=AuditAction.CUSTOMER_REVEALED)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("actor", "day")
        .annotate(count=Count("id"))
        .filter(count__gt=threshold)
    )
    return {(row["actor"], row["day"]) for row in rows}


def _flag_query(heavy: Iterable[tuple[str, date]]) -> Q:
    query = (
        Q(metadata__review=BREAK_GLASS)
        | Q(metadata__review=SELF_MADE)
        | Q(action=AuditAction.CUSTOMER_REVEALED, purpose__startswith="reason:")
    )
    for actor, day in heavy:
        start, end = _local_day_bounds(day)
        query |= Q(
            action=AuditAction.CUSTOMER_REVEALED,
            actor=actor,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
    return query


def access_events(filters: AccessFilters) -> tuple[QuerySet[AuditEvent], set]:
    """The events the review lists, newest first, and the heavy (actor, day) pairs that
    flag them (for `access_rows`)."""
    events = _base(filters)
    if filters.purpose_kind == "staff_view":
        events = events.filter(purpose="staff_view")
    elif filters.purpose_kind:
        events = events.filter(purpose__startswith=f"{filters.purpose_kind}:")
    heavy = heavy_days(filters)
    if filters.show in (Show.FLAGGED, Show.TO_REVIEW):
        events = events.filter(_flag_query(heavy))
    if filters.show == Show.TO_REVIEW:
        events = events.filter(access_review__isnull=True)
    return events.order_by("-occurred_at", "-id"), heavy


def flags_of(event: AuditEvent, heavy: set) -> list[Flag]:
    flags = []
    review = (event.metadata or {}).get("review")
    is_reveal = event.action == AuditAction.CUSTOMER_REVEALED
    if review == BREAK_GLASS or (is_reveal and purpose_kind(event.purpose) == "reason"):
        flags.append(Flag.BREAK_GLASS)
    if review == SELF_MADE:
        flags.append(Flag.SELF_MADE)
    if is_reveal and (event.actor, timezone.localtime(event.occurred_at).date()) in heavy:
        flags.append(Flag.VOLUME)
    return flags


def access_rows(events: Iterable[AuditEvent], heavy: set) -> list[AccessRow]:
    """One row per event, with staff names, roles, labels and marks in three queries."""
    events = list(events)
    user_ids = {
        int(event.actor.removeprefix(STAFF_PREFIX))
        for event in events
        if event.actor.removeprefix(STAFF_PREFIX).isdigit()
    }
    users = get_user_model().objects.in_bulk(user_ids)
    reviews = {
        review.event_id: review
        for review in AccessReview.objects.filter(event__in=events).select_related("reviewer")
    }
    rows = []
    for event in events:
        user_id = event.actor.removeprefix(STAFF_PREFIX)
        user = users.get(int(user_id)) if user_id.isdigit() else None
        role = (event.metadata or {}).get("role", "")
        subject = event.subject_id
        rows.append(
            AccessRow(
                event=event,
                username=user.get_username() if user else event.actor,
                role=Role(role).label if role in ROLE_CODES else "",
                action=str(ACTION_LABELS.get(event.action, "")),
                fields=field_labels((event.metadata or {}).get("fields", "")),
                customer=str(subject)[:8] if subject else "",
                customer_id=subject,
                purpose=purpose_kind_label(event.purpose),
                flags=flags_of(event, heavy),
                review=reviews.get(event.pk),
            )
        )
    return rows


ACTION_LABELS = {
    AuditAction.CUSTOMER_REVEALED: _("Revealed"),
    AuditAction.CUSTOMER_VIEWED: _("Viewed"),
}


def staff_who_accessed() -> QuerySet:
    """Staff users for the review's filter: everyone with a role."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=ROLE_CODES) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
