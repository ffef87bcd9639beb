"""Service-desk writes: open a ticket, add to its thread, change its status, priority,
assignee or complaint tag. Each is one transaction with its audit event; audit rows hold
ids and codes only, never the subject or a note."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Action, may
from audit.actors import CUSTOMER
from audit.models import AuditAction
from audit.services import record_event
from customers.models import Customer
from customers.selectors import live_customer_ids
from outbox.services import enqueue
from runtime.links import public_reverse
from service.models import (
    OPEN_STATUSES,
    NoteVisibility,
    Ticket,
    TicketChannel,
    TicketNote,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
    TicketTopic,
)
from service.sla import due_at

SUBJECT_MAX = 200
NOTE_MAX = 5000
# A ticket opened this soon after the caller lookup found the customer (by the number or
# address the caller gave) was started by the customer: it is part of that call.
CALLER_LOOKUP_WINDOW = timedelta(minutes=30)

# Which status may follow which. Closed is final: a customer who comes back later gets
# a new ticket. Resolved can be reopened (the answer did not help).
TRANSITIONS = {
    TicketStatus.OPEN: {TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.WAITING: {TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},
    TicketStatus.CLOSED: set(),
}


def _event(ticket: Ticket, action: AuditAction, actor: str, **metadata) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="service.ticket",
        object_id=ticket.pk,
        subject_id=ticket.customer_id,
        purpose="service",
        metadata=metadata,
    )


def _clean_text(value, *, field: str, limit: int, errors: dict) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > limit:
        errors[field] = [_("Keep it under %(n)d characters.") % {"n": limit}]
    return text


def _check_choice(value, choices, *, field: str, message: str, errors: dict) -> None:
    if value not in choices.values:
        errors[field] = [message]


def _check_assignee(assignee, errors: dict) -> None:
    if assignee is not None and (not assignee.is_active or not may(assignee, Action.TICKETS)):
        errors["assignee"] = [_("Choose an active member of the service team.")]


def _check_live(customer: Customer) -> None:
    if customer.pk not in live_customer_ids([customer.pk]):
        raise ValidationError({"customer": [_("This customer's data is being erased.")]})


@transaction.atomic
def open_ticket(
    *,
    customer: Customer,
    channel: str,
    subject: str,
    actor: str,
    topic: str = TicketTopic.OTHER,
    priority: str = TicketPriority.NORMAL,
    complaint: bool = False,
    assignee=None,
    note: str = "",
    note_visibility: str = NoteVisibility.INTERNAL,
    opened_at=None,
    caller_lookup_at: datetime | None = None,
) -> Ticket:
    """Open a ticket, due by the priority's SLA; `note` starts its thread.

    `caller_lookup_at`: when the caller lookup found this customer for the staff member
    now opening the ticket (None when they came another way). Within
    CALLER_LOOKUP_WINDOW the customer started the contact; otherwise staff did."""
    errors: dict = {}
    _check_choice(
        channel, TicketChannel, field="channel", message=_("Choose a channel."), errors=errors
    )
    _check_choice(topic, TicketTopic, field="topic", message=_("Choose a topic."), errors=errors)
    _check_choice(
        priority, TicketPriority, field="priority", message=_("Choose a priority."), errors=errors
    )
    _check_choice(
        note_visibility,
        NoteVisibility,
        field="note_visibility",
        message=_("Choose who may read the note."),
        errors=errors,
    )
    subject = _clean_text(subject, field="subject", limit=SUBJECT_MAX, errors=errors)
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep it under %(n)d characters.") % {"n": NOTE_MAX}]
    _check_assignee(assignee, errors)
    if errors:
        raise ValidationError(errors)
    _check_live(customer)
    opened_at = opened_at or timezone.now()
    if actor == CUSTOMER:
        origin = TicketOrigin.CUSTOMER
    elif caller_lookup_at and timezone.now() - caller_lookup_at <= CALLER_LOOKUP_WINDOW:
        origin = TicketOrigin.CALLER
    else:
        origin = TicketOrigin.STAFF
    ticket = Ticket.objects.create(
        customer=customer,
        subject=subject,
        channel=channel,
        topic=topic,
        priority=priority,
        complaint=bool(complaint),
        assignee=assignee,
        assigned_by=actor if assignee else "",
        origin=origin,
        opened_by=actor,
        created_at=opened_at,
        due_at=due_at(opened_at, priority),
    )
    _event(
        ticket,
        AuditAction.TICKET_OPENED,
        actor,
        channel=channel,
        topic=topic,
        priority=priority,
        complaint=ticket.complaint,
        assignee=assignee.pk if assignee else None,
        origin=origin,
    )
    if note:
        add_note(ticket=ticket, body=note, visibility=note_visibility, actor=actor)
    return ticket


@transaction.atomic
def add_note(*, ticket: Ticket, body: str, visibility: str, actor: str) -> TicketNote:
    """Add to the thread. A customer's message (actor "customer") is always visible to
    them and brings a waiting or resolved ticket back to the team (open)."""
    errors: dict = {}
    if actor == CUSTOMER:
        visibility = NoteVisibility.CUSTOMER
    _check_choice(
        visibility,
        NoteVisibility,
        field="visibility",
        message=_("Choose who may read the note."),
        errors=errors,
    )
    body = _clean_text(body, field="body", limit=NOTE_MAX, errors=errors)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == TicketStatus.CLOSED:
        errors["body"] = [_("This ticket is closed.")]
    if errors:
        raise ValidationError(errors)
    note = TicketNote.objects.create(
        ticket=ticket,
        customer_id=ticket.customer_id,
        body=body,
        visibility=visibility,
        author=actor,
    )
    _event(ticket, AuditAction.TICKET_NOTE_ADDED, actor, note=note.pk, visibility=visibility)
    if visibility == NoteVisibility.CUSTOMER and actor != CUSTOMER:
        enqueue("service.tasks.notify_reply", str(note.pk))
    if actor == CUSTOMER and ticket.status in (TicketStatus.WAITING, TicketStatus.RESOLVED):
        change_status(ticket=ticket, status=TicketStatus.OPEN, actor=actor)
    return note


@transaction.atomic
def change_status(*, ticket: Ticket, status: str, actor: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == ticket.status:
        return ticket
    if status not in TicketStatus.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    if status not in TRANSITIONS[TicketStatus(ticket.status)]:
        raise ValidationError(
            {
                "status": [
                    _("A ticket that is %(now)s cannot become %(next)s.")
                    % {
                        "now": ticket.get_status_display().lower(),
                        "next": TicketStatus(status).label.lower(),
                    }
                ]
            }
        )
    previous = ticket.status
    now = timezone.now()
    ticket.status = status
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif status in OPEN_STATUSES:
        ticket.resolved_at = None
    if status == TicketStatus.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    ticket.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    _event(ticket, AuditAction.TICKET_UPDATED, actor, change="status", old=previous, new=status)
    return ticket


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee, actor: str) -> Ticket:
    errors: dict = {}
    _check_assignee(assignee, errors)
    if errors:
        raise ValidationError(errors)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    # Who assigned it decides whether it is the assignee's purpose to reveal: taking a
    # ticket yourself is not (access.policy).
    ticket.assigned_by = actor if assignee else ""
    ticket.save(update_fields=["assignee", "assigned_by", "updated_at"])
    _event(
        ticket,
        AuditAction.TICKET_UPDATED,
        actor,
        change="assignee",
        new=assignee.pk if assignee else None,
    )
    return ticket


@transaction.atomic
def change_priority(*, ticket: Ticket, priority: str, actor: str) -> Ticket:
    """A new priority moves the due time: opened + the new priority's SLA hours."""
    if priority not in TicketPriority.values:
        raise ValidationError({"priority": [_("Choose a priority.")]})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.priority == priority:
        return ticket
    previous = ticket.priority
    ticket.priority = priority
    ticket.due_at = due_at(ticket.created_at, priority)
    ticket.save(update_fields=["priority", "due_at", "updated_at"])
    _event(ticket, AuditAction.TICKET_UPDATED, actor, change="priority", old=previous, new=priority)
    return ticket


@transaction.atomic
def mark_complaint(*, ticket: Ticket, complaint: bool, actor: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.complaint == bool(complaint):
        return ticket
    ticket.complaint = bool(complaint)
    ticket.save(update_fields=["complaint", "updated_at"])
    _event(ticket, AuditAction.TICKET_UPDATED, actor, change="complaint", new=ticket.complaint)
    return ticket


@transaction.atomic
def update_ticket(
    *, ticket: Ticket, actor: str, status: str, priority: str, assignee, complaint: bool
) -> Ticket:
    """The detail page's one form: every change it makes, each with its own event; none
    of them when any is refused."""
    errors: dict = {}
    for change in (
        lambda: assign_ticket(ticket=ticket, assignee=assignee, actor=actor),
        lambda: change_priority(ticket=ticket, priority=priority, actor=actor),
        lambda: mark_complaint(ticket=ticket, complaint=complaint, actor=actor),
        lambda: change_status(ticket=ticket, status=status, actor=actor),
    ):
        try:
            with transaction.atomic():
                change()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return Ticket.objects.get(pk=ticket.pk)


def notify_customer_of_reply(*, note_id) -> bool:
    """Mail the customer that the team replied (once per reply). The mail names the
    ticket by reference and topic only, never its subject or the reply: mail is read in
    places the portal is not. False when there is nothing to send."""
    with transaction.atomic():
        note = (
            TicketNote.objects.select_for_update()
            .select_related("ticket", "customer")
            .filter(pk=note_id, notified_at__isnull=True, visibility=NoteVisibility.CUSTOMER)
            .first()
        )
        if note is None:
            return False
        note.notified_at = timezone.now()
        note.save(update_fields=["notified_at"])
        if note.customer_id not in live_customer_ids([note.customer_id]):
            return False
        ticket = note.ticket
        send_mail(
            subject=_("We replied to your request %(ref)s") % {"ref": ticket.short_id},
            message=_(
                "Our service team has replied about your request %(ref)s (%(topic)s).\n\n"
                "To read the reply and answer it, sign in to your account and open Help:\n"
                "%(url)s\n\nFor your privacy this email does not repeat the message."
            )
            % {
                "ref": ticket.short_id,
                "topic": ticket.get_topic_display(),
                "url": public_reverse("portal:home"),
            },
            from_email=None,
            recipient_list=[note.customer.email],
        )
    return True
