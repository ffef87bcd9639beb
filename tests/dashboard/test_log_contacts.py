"""Logging a call on the customer (issue 27.2): one form on the 360 view and on a ticket
records an interaction (channel, topic, outcome, encrypted note); queues show the
customer masked and the ticket's age; notes and contacts name their author (username
and role) to staff."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from customers.models import Interaction
from service import services

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def caller(make_customer):
    return make_customer(full_name="Sam Morin")


def _log(client, customer, **values):
    body = {
        "channel": "phone",
        "kind": "delivery",
        "outcome": "follow_up",
        "note": "Parcel not arrived; courier to call back",
    }
    body.update(values)
    return client.post(f"/dashboard/customers/{customer.pk}/contacts/", body)


def _ticket(caller, agent, **values):
    """A phone ticket about a kettle, opened by the agent and assigned to them."""
    fields = {
        "channel": "phone",
        "subject": "Kettle",
        "topic": "product",
        "actor": f"staff:{agent.pk}",
        "assignee": agent,
    }
    return services.open_ticket(customer=caller, **{**fields, **values})


def test_a_call_logged_on_the_360_view_is_an_encrypted_interaction(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT, username="alice")
    page = client.get(f"/dashboard/customers/{caller.pk}/").content.decode()
    assert "Log a call or other contact" in page
    response = _log(client, caller)
    assert response["Location"] == f"/dashboard/customers/{caller.pk}/#interactions"
    contact = Interaction.objects.get(customer=caller)
    assert contact.channel == "phone" and contact.kind == "delivery"
    assert contact.outcome == "follow_up" and contact.created_by == f"staff:{agent.pk}"
    assert contact.note == "Parcel not arrived; courier to call back"
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM customers_interaction WHERE id = %s", [contact.pk])
        assert b"Parcel" not in bytes(cursor.fetchone()[0])
    event = AuditEvent.objects.get(action=AuditAction.INTERACTION_RECORDED, subject_id=caller.pk)
    assert event.metadata["outcome"] == "follow_up" and "Parcel" not in str(event.metadata)
    shown = client.get(response["Location"]).content.decode()
    assert "Needs a follow-up" in shown and "alice (Support agent)" in shown
    assert "Parcel not arrived" not in shown  # notes stay hidden until revealed


def test_the_same_form_on_a_ticket_returns_to_the_ticket(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, agent)
    page = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert f'name="ticket" value="{ticket.pk}"' in page
    response = _log(client, caller, ticket=str(ticket.pk), outcome="resolved")
    assert response["Location"] == f"/dashboard/service/tickets/{ticket.pk}/"
    assert Interaction.objects.get(customer=caller).outcome == "resolved"


def test_a_contact_without_a_note_or_outcome_is_a_form_error(signed_in, caller):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    response = _log(client, caller, note="  ", outcome="")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Interaction.objects.exists()
    assert _log(client, caller, outcome="teleported").status_code == 400


def test_marketing_cannot_log_contacts(signed_in, caller):
    client, _user = signed_in(Role.MARKETING)
    assert _log(client, caller).status_code == 403
    assert not Interaction.objects.exists()


def test_the_queue_shows_the_customer_masked_and_the_age(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    _ticket(caller, agent, subject="Kettle leaks", opened_at=timezone.now() - timedelta(hours=3))
    page = client.get("/dashboard/service/queue/").content.decode()
    assert "S***" in page and str(caller.pk)[:8] in page
    assert "Sam Morin" not in page and "Kettle leaks" not in page
    assert "3\xa0hours" in page


def test_thread_notes_name_their_author_to_staff(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT, username="alice")
    ticket = _ticket(caller, agent, actor="customer", note="Checked the warranty")
    services.add_note(
        ticket=ticket, body="Replacement sent", visibility="customer", actor=f"staff:{agent.pk}"
    )
    page = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert "alice (Support agent)" in page


def test_the_contact_form_and_queue_speak_bahasa_indonesia(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    _ticket(caller, agent, opened_at=timezone.now() - timedelta(hours=3))
    client.cookies["django_language"] = "id"
    page = client.get(f"/dashboard/customers/{caller.pk}/").content.decode()
    assert "Catat panggilan atau kontak lain" in page and "Perlu tindak lanjut" in page
    assert "Pengembalian" in page
    queue = client.get("/dashboard/service/queue/").content.decode()
    assert "Umur" in queue and "3\xa0jam" in queue
