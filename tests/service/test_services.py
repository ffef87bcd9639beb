from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from service import services
from service.models import NoteVisibility, Ticket, TicketNote, TicketStatus

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.mark.parametrize(
    ("priority", "hours"), [("urgent", 4), ("high", 8), ("normal", 24), ("low", 72)]
)
def test_a_ticket_is_due_by_its_prioritys_default_sla(make_ticket, priority, hours):
    opened = timezone.now() - timedelta(hours=1)
    ticket = make_ticket(priority=priority, opened_at=opened)
    assert ticket.due_at == opened + timedelta(hours=hours)


def test_the_sla_hours_come_from_settings(make_ticket, settings):
    settings.SERVICE_SLA_HOURS = {"urgent": 1, "high": 2, "normal": 5, "low": 9}
    opened = timezone.now()
    assert make_ticket(priority="normal", opened_at=opened).due_at == opened + timedelta(hours=5)


def test_changing_the_priority_moves_the_due_time_from_when_it_was_opened(make_ticket, agent):
    opened = timezone.now() - timedelta(hours=2)
    ticket = make_ticket(priority="low", opened_at=opened)
    ticket = services.change_priority(ticket=ticket, priority="urgent", actor=f"staff:{agent.pk}")
    assert ticket.due_at == opened + timedelta(hours=4)
    assert Ticket.objects.get(pk=ticket.pk).due_at == opened + timedelta(hours=4)


def test_the_subject_and_notes_are_stored_encrypted(make_ticket):
    ticket = make_ticket(note="She lives at 12 Elm Street", note_visibility="internal")
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject FROM service_ticket WHERE id = %s", [ticket.pk])
        (raw_subject,) = cursor.fetchone()
        cursor.execute("SELECT body FROM service_ticketnote WHERE ticket_id = %s", [ticket.pk])
        (raw_body,) = cursor.fetchone()
    assert b"Ana Lima" not in bytes(raw_subject)
    assert b"Elm Street" not in bytes(raw_body)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.subject == "Parcel for Ana Lima never arrived"
    assert fresh.notes.get().body == "She lives at 12 Elm Street"


def test_opening_checks_every_field_and_names_each_problem(customer, agent):
    with pytest.raises(ValidationError) as error:
        services.open_ticket(
            customer=customer,
            channel="pigeon",
            subject="  ",
            topic="nope",
            priority="whenever",
            actor=f"staff:{agent.pk}",
        )
    assert set(error.value.message_dict) == {"channel", "subject", "topic", "priority"}
    assert not Ticket.objects.exists()


def test_a_marketer_cannot_be_assigned_a_ticket(make_ticket, make_staff):
    marketer = make_staff(Role.MARKETING)
    with pytest.raises(ValidationError) as error:
        make_ticket(assignee=marketer)
    assert "assignee" in error.value.message_dict


def test_status_moves_through_waiting_and_resolved_and_records_times(make_ticket, agent):
    actor = f"staff:{agent.pk}"
    ticket = make_ticket()
    ticket = services.change_status(ticket=ticket, status=TicketStatus.WAITING, actor=actor)
    assert ticket.status == "waiting"
    ticket = services.change_status(ticket=ticket, status=TicketStatus.RESOLVED, actor=actor)
    assert ticket.resolved_at is not None
    ticket = services.change_status(ticket=ticket, status=TicketStatus.OPEN, actor=actor)
    assert ticket.resolved_at is None
    ticket = services.change_status(ticket=ticket, status=TicketStatus.CLOSED, actor=actor)
    assert ticket.closed_at is not None and ticket.resolved_at is not None


def test_a_closed_ticket_cannot_be_reopened_or_added_to(make_ticket, agent):
    actor = f"staff:{agent.pk}"
    ticket = services.change_status(ticket=make_ticket(), status="closed", actor=actor)
    with pytest.raises(ValidationError) as error:
        services.change_status(ticket=ticket, status="open", actor=actor)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_note(ticket=ticket, body="Anything", visibility="internal", actor=actor)
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_a_customer_message_reopens_a_waiting_ticket_and_is_visible_to_them(make_ticket, agent):
    ticket = services.change_status(
        ticket=make_ticket(), status="waiting", actor=f"staff:{agent.pk}"
    )
    note = services.add_note(
        ticket=ticket, body="Still nothing", visibility="internal", actor="customer"
    )
    assert note.visibility == NoteVisibility.CUSTOMER
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_update_ticket_changes_nothing_when_one_change_is_refused(make_ticket, agent, make_staff):
    ticket = make_ticket(priority="normal")
    marketer = make_staff(Role.MARKETING)
    with pytest.raises(ValidationError) as error:
        services.update_ticket(
            ticket=ticket,
            actor=f"staff:{agent.pk}",
            status="resolved",
            priority="urgent",
            assignee=marketer,
            complaint=True,
        )
    assert "assignee" in error.value.message_dict
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.priority, fresh.complaint, fresh.assignee_id) == (
        "open",
        "normal",
        False,
        agent.pk,
    )


def test_ticket_actions_are_audited_without_personal_data(make_ticket, agent):
    actor = f"staff:{agent.pk}"
    ticket = make_ticket(note="Call her back on 07700 900123", complaint=True)
    services.add_note(ticket=ticket, body="Refund sent to Ana", visibility="customer", actor=actor)
    services.change_status(ticket=ticket, status="resolved", actor=actor)
    events = AuditEvent.objects.filter(object_type="service.ticket", object_id=str(ticket.pk))
    actions = sorted(events.values_list("action", flat=True))
    assert actions == sorted(
        [
            AuditAction.TICKET_OPENED,
            AuditAction.TICKET_NOTE_ADDED,
            AuditAction.TICKET_NOTE_ADDED,
            AuditAction.TICKET_UPDATED,
        ]
    )
    assert all(event.subject_id == ticket.customer_id for event in events)
    dumped = " ".join(f"{event.metadata} {event.purpose}" for event in events)
    for personal in ("Ana", "07700", "Parcel", "Refund"):
        assert personal not in dumped


def test_a_ticket_cannot_be_opened_for_a_customer_being_erased(customer, agent):
    from disposal.models import ErasureSource
    from disposal.services import request_erasure

    request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="system")
    with pytest.raises(ValidationError):
        services.open_ticket(
            customer=customer, channel="phone", subject="Hello", actor=f"staff:{agent.pk}"
        )
    assert not TicketNote.objects.exists()
