"""The access log as a person reads it: the customer's own page views folded into one
line a day, other rows saying who (a connected shop, a staff member's role at the time),
which detail and why, in words; times in the shop's zone (TIME_ZONE)."""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from itertools import islice

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.roles import Role
from audit.actors import CUSTOMER, describe_actor
from audit.models import AuditAction, AuditEvent
from audit.selectors import events_about
from portal.presentation import access_purpose_label, action_text

ONLY_OTHERS = "others"


@dataclass(frozen=True)
class Row:
    when: datetime
    who: str
    by_you: bool
    what: str
    purpose: str
    day_only: bool = False  # a folded day of the customer's own views: the date is enough


def _who(event: AuditEvent) -> str:
    """A staff member by the role recorded with the event (their role then), else as
    audit.actors describes the actor."""
    role = (event.metadata or {}).get("role") if event.actor.startswith("staff:") else None
    if role in Role._value2member_map_:
        return Role(role).label
    return describe_actor(event.actor)


def _own_view_days(customer_id):
    """The customer's own page views, one (day, count, last) row a day, newest first."""
    zone = timezone.get_current_timezone()
    return (
        events_about(customer_id)
        .filter(actor=CUSTOMER, action=AuditAction.PORTAL_VIEWED)
        .annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .values("day")
        .annotate(count=Count("id"), last=Max("occurred_at"))
        .order_by("-last")
    )


def _day_row(day: dict) -> Row:
    return Row(
        when=day["last"],
        who=str(_("You")),
        by_you=True,
        what=ngettext(
            "looked at your data once", "looked at your data %(count)d times", day["count"]
        )
        % {"count": day["count"]},
        purpose="",
        day_only=True,
    )


def _event_row(event: AuditEvent, names: dict) -> Row:
    """`names` keeps each actor's description for the page (one lookup per actor)."""
    role = (event.metadata or {}).get("role")
    if (event.actor, role) not in names:
        names[event.actor, role] = _who(event)
    return Row(
        when=event.occurred_at,
        who=names[event.actor, role],
        by_you=event.actor == CUSTOMER,
        what=action_text(event),
        purpose=access_purpose_label(event.purpose) if event.purpose else "",
    )


class AccessLog(Sequence):
    """The customer's log, newest first, as a sequence a Paginator counts and slices
    without building every row: a page reads the newest `stop` rows of each source (the
    events, the folded days of the customer's own views) and merges them. A customer with
    years of storefront reads has tens of thousands of events; a page shows 25."""

    def __init__(self, customer_id, *, only_others: bool = False):
        events = events_about(customer_id)
        if only_others:
            events = events.exclude(actor=CUSTOMER)
        else:
            events = events.exclude(actor=CUSTOMER, action=AuditAction.PORTAL_VIEWED)
        self.events = events.only("occurred_at", "actor", "action", "metadata", "purpose")
        self.days = None if only_others else _own_view_days(customer_id)

    @cached_property
    def _count(self) -> int:
        return self.events.count() + (self.days.count() if self.days is not None else 0)

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self[0 : len(self)])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self._count)
        if stop <= start:
            return []
        names: dict = {}
        newest = self.events.order_by("-occurred_at")[:stop]
        rows = [_event_row(event, names) for event in newest]
        if self.days is not None:
            days = [_day_row(day) for day in self.days[:stop]]
            rows = heapq.merge(rows, days, key=lambda row: row.when, reverse=True)
        return list(islice(rows, start, stop))


def zone_name() -> str:
    """The zone the times are in, by its name (e.g. Asia/Jakarta)."""
    return timezone.get_current_timezone_name()
