"""Service-desk reads: an agent's queue (overdue first), a customer's tickets, one
ticket's thread, and the open tickets that give an agent a reason to reveal."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access.policy import AssignedItem
from access.roles import Role
from audit.actors import CUSTOMER
from audit.services import staff_actor
from service.models import (
    OPEN_STATUSES,
    NoteVisibility,
    Ticket,
    TicketNote,
    TicketOrigin,
    TicketStatus,
)

QUEUE_SCOPES = ("mine", "unassigned", "all")


def ticket_queue(*, user=None, scope: str = "mine", status: str = "active") -> QuerySet:
    """Tickets by due time, earliest first, so overdue ones lead. `scope`: the user's
    own ("mine"), nobody's ("unassigned") or everyone's ("all"); `status`: "active" (open
    or waiting), one status, or "any"."""
    queryset = Ticket.objects.select_related("assignee", "customer")
    if scope == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    elif scope != "all":
        queryset = queryset.filter(assignee=user)
    if status == "active":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status in TicketStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("due_at", "created_at", "id")


def overdue_count(*, user=None) -> int:
    queryset = Ticket.objects.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    if user is not None:
        queryset = queryset.filter(assignee=user)
    return queryset.count()


def is_overdue(ticket: Ticket, now=None) -> bool:
    return ticket.is_open and ticket.due_at < (now or timezone.now())


def ticket_get(ticket_id) -> Ticket | None:
    try:
        pk = uuid.UUID(str(ticket_id))
    except ValueError:
        return None
    return Ticket.objects.select_related("assignee", "customer").filter(pk=pk).first()


def tickets_of(customer_id: uuid.UUID, *, open_only: bool = False) -> list[Ticket]:
    """The customer's tickets: open ones first by due time, then the rest newest first."""
    queryset = Ticket.objects.filter(customer_id=customer_id).select_related("assignee", "customer")
    if open_only:
        return list(queryset.filter(status__in=OPEN_STATUSES).order_by("due_at"))
    still_open = list(queryset.filter(status__in=OPEN_STATUSES).order_by("due_at"))
    done = list(queryset.exclude(status__in=OPEN_STATUSES).order_by("-created_at")[:50])
    return still_open + done


def customer_ticket(customer_id: uuid.UUID, ticket_id) -> Ticket | None:
    """One of this customer's own tickets (the portal), or None."""
    try:
        pk = uuid.UUID(str(ticket_id))
    except ValueError:
        return None
    return Ticket.objects.filter(pk=pk, customer_id=customer_id).first()


def thread_of(ticket: Ticket, *, customer_view: bool = False) -> list[TicketNote]:
    """The ticket's notes, oldest first. `customer_view` leaves internal notes out: the
    one filter every customer-facing page goes through."""
    notes = TicketNote.objects.filter(ticket=ticket)
    if customer_view:
        notes = notes.filter(visibility=NoteVisibility.CUSTOMER)
    return list(notes.order_by("created_at", "id"))


def ticket_agents() -> QuerySet:
    """Staff who work tickets and may be assigned one: support agents and administrators."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[Role.SUPPORT_AGENT, Role.ADMINISTRATOR]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


def started_by_someone_else(ticket: Ticket, user_id: int) -> bool:
    """Did the customer start this contact (portal, a reply, the caller lookup) or
    someone other than the user assign it to them? Otherwise the user opened or took
    the work on their own: no purpose to reveal (access.policy)."""
    if ticket.origin in (TicketOrigin.CUSTOMER, TicketOrigin.CALLER):
        return True
    if ticket.assigned_by and ticket.assigned_by != staff_actor(user_id):
        return True
    replied = getattr(ticket, "customer_replied", None)
    if replied is None:
        replied = ticket.notes.filter(author=CUSTOMER).exists()
    return replied


def assigned_tickets(user_id: int, customer_id: uuid.UUID) -> list[AssignedItem]:
    """The customer's open tickets assigned to the user: reasons to reveal (access),
    marked self-made when the user opened or took them on their own."""
    tickets = (
        Ticket.objects.filter(
            customer_id=customer_id, assignee_id=user_id, status__in=OPEN_STATUSES
        )
        .annotate(
            customer_replied=Exists(
                TicketNote.objects.filter(ticket=OuterRef("pk"), author=CUSTOMER)
            )
        )
        .order_by("due_at")
    )
    return [
        AssignedItem(
            "ticket",
            str(ticket.pk),
            _("Ticket %(id)s (%(topic)s), due %(due)s")
            % {
                "id": ticket.short_id,
                "topic": ticket.get_topic_display(),
                "due": date_format(timezone.localtime(ticket.due_at), "SHORT_DATETIME_FORMAT"),
            },
            self_made=not started_by_someone_else(ticket, user_id),
        )
        for ticket in tickets
    ]


@dataclass(frozen=True)
class TicketCounts:
    mine_open: int
    mine_overdue: int
    unassigned: int


def ticket_counts(user) -> TicketCounts:
    now = timezone.now()
    still_open = Ticket.objects.filter(status__in=OPEN_STATUSES)
    return TicketCounts(
        mine_open=still_open.filter(assignee=user).count(),
        mine_overdue=still_open.filter(assignee=user, due_at__lt=now).count(),
        unassigned=still_open.filter(assignee__isnull=True).count(),
    )


def tickets_per_week(weeks: int = 12) -> list[tuple[date, int, int, int]]:
    """(Monday, opened, resolved, of them complaints opened) per ISO week, oldest first,
    the last `weeks` weeks. Counts only."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    opened: dict[date, int] = {}
    resolved: dict[date, int] = {}
    complaints: dict[date, int] = {}

    def monday(moment) -> date:
        day = timezone.localtime(moment).date()
        return day - timedelta(days=day.weekday())

    for created_at, complaint in Ticket.objects.filter(created_at__date__gte=first).values_list(
        "created_at", "complaint"
    ):
        week = monday(created_at)
        opened[week] = opened.get(week, 0) + 1
        complaints[week] = complaints.get(week, 0) + int(complaint)
    for resolved_at in Ticket.objects.filter(resolved_at__date__gte=first).values_list(
        "resolved_at", flat=True
    ):
        week = monday(resolved_at)
        resolved[week] = resolved.get(week, 0) + 1
    weeks_list = [first + timedelta(weeks=i) for i in range(weeks)]
    return [
        (week, opened.get(week, 0), resolved.get(week, 0), complaints.get(week, 0))
        for week in weeks_list
    ]
