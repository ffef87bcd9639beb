"""The access log as a person reads it: the customer's own page views folded into one
line a day, other rows saying who (a connected shop, a staff member's role at the time),
which detail and why, in words; times in the shop's zone (TIME_ZONE)."""

from dataclasses import dataclass
from datetime import datetime

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


def _own_views_by_day(customer_id) -> list[Row]:
    zone = timezone.get_current_timezone()
    days = (
        events_about(customer_id)
        .filter(actor=CUSTOMER, action=AuditAction.PORTAL_VIEWED)
        .annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .values("day")
        .annotate(count=Count("id"), last=Max("occurred_at"))
        .order_by()
    )
    return [
        Row(
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
        for day in days
    ]


def access_rows(customer_id, *, only_others: bool = False) -> list[Row]:
    """The customer's log, newest first."""
    events = events_about(customer_id)
    if only_others:
        events = events.exclude(actor=CUSTOMER)
    else:
        events = events.exclude(actor=CUSTOMER, action=AuditAction.PORTAL_VIEWED)
    rows = [
        Row(
            when=event.occurred_at,
            who=_who(event),
            by_you=event.actor == CUSTOMER,
            what=action_text(event),
            purpose=access_purpose_label(event.purpose) if event.purpose else "",
        )
        for event in events.only("occurred_at", "actor", "action", "metadata", "purpose")
    ]
    if not only_others:
        rows.extend(_own_views_by_day(customer_id))
    return sorted(rows, key=lambda row: row.when, reverse=True)


def zone_name() -> str:
    """The zone the times are in, by its name (e.g. Asia/Jakarta)."""
    return timezone.get_current_timezone_name()
