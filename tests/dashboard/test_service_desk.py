"""The service desk pages: call-centre lookup (POST, no phone or email in a URL), a new
ticket in one step, the agent's queue overdue first, a ticket's thread shown to its
assignee (as an audited reveal) and hidden from others until they reveal with a purpose."""

from datetime import timedelta

import pytest
from django.utils import timezone

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from service import services
from service.models import Ticket

pytestmark = pytest.mark.django_db(databases="__all__")

PHONE = "+44 20 7946 0555"


@pytest.fixture
def caller(make_customer):
    return make_customer(email="grace@example.com", full_name="Grace Hopper", phone=PHONE)


def _ticket(customer, assignee, **overrides):
    values = {
        "customer": customer,
        "channel": "phone",
        "subject": "Grace's kettle leaks",
        "topic": "product",
        "actor": "staff:0",
        "assignee": assignee,
        "note": "Internal: second complaint this month",
    }
    values.update(overrides)
    return services.open_ticket(**values)


def test_lookup_by_phone_leads_to_the_caller_with_their_open_tickets(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, agent)
    response = client.post("/dashboard/service/", {"query": "+442079460555"})
    assert response.status_code == 302
    location = response["Location"]
    assert location == f"/dashboard/service/customers/{caller.pk}/"
    assert "0555" not in location and "@" not in location
    page = client.get(location).content.decode()
    assert ticket.short_id in page
    assert "Grace" not in page and "grace@example.com" not in page and "g***@example.com" in page
    assert AuditEvent.objects.filter(
        subject_id=caller.pk,
        action=AuditAction.CUSTOMER_VIEWED,
        object_type="dashboard.service_desk",
    ).exists()


def test_lookup_by_email_and_an_unknown_number(signed_in, caller):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    found = client.post("/dashboard/service/", {"query": " GRACE@example.com "})
    assert found["Location"] == f"/dashboard/service/customers/{caller.pk}/"
    missing = client.post("/dashboard/service/", {"query": "+44 20 7946 0999"})
    assert missing.status_code == 400
    assert (
        "No customer has exactly this phone number, email, order number or name"
        in missing.content.decode()
    )
    bad = client.post("/dashboard/service/", {"query": "+44 12"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()


def test_a_shared_number_lists_the_household_to_choose_from(signed_in, caller, make_customer):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    sibling = make_customer(phone=PHONE)
    response = client.post("/dashboard/service/", {"query": PHONE})
    assert response["Location"] == "/dashboard/service/matches/"
    page = client.get(response["Location"]).content.decode()
    assert str(caller.pk)[:8] in page and str(sibling.pk)[:8] in page
    assert "Grace" not in page


def test_a_new_ticket_in_one_step_is_assigned_to_the_agent_and_due_by_the_sla(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    before = timezone.now()
    response = client.post(
        f"/dashboard/service/customers/{caller.pk}/tickets/new/",
        {
            "channel": "phone",
            "topic": "delivery",
            "priority": "high",
            "subject": "Parcel lost",
            "note": "Courier says delivered",
            "note_visibility": "internal",
            "complaint": "on",
            "assign_to_me": "on",
        },
    )
    ticket = Ticket.objects.get(customer=caller)
    assert response["Location"] == f"/dashboard/service/tickets/{ticket.pk}/"
    assert ticket.assignee == agent and ticket.complaint and ticket.priority == "high"
    assert before + timedelta(hours=8) <= ticket.due_at <= timezone.now() + timedelta(hours=8)
    assert ticket.notes.get().body == "Courier says delivered"


def test_a_new_ticket_without_a_subject_shows_the_form_again_with_the_error(signed_in, caller):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    response = client.post(
        f"/dashboard/service/customers/{caller.pk}/tickets/new/",
        {"channel": "phone", "topic": "delivery", "priority": "urgentest", "subject": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Subject" in page
    assert not Ticket.objects.exists()


def test_my_queue_puts_overdue_tickets_first_and_pages(signed_in, caller, make_customer):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    now = timezone.now()
    fresh = _ticket(caller, agent, priority="low", opened_at=now)
    late = _ticket(caller, agent, priority="urgent", opened_at=now - timedelta(hours=9))
    page = client.get("/dashboard/service/queue/").content.decode()
    assert page.index(late.short_id) < page.index(fresh.short_id)
    assert "overdue" in page[page.index(late.short_id) : page.index(fresh.short_id)]
    assert "kettle" not in page
    for _ in range(25):
        _ticket(caller, agent, priority="low", opened_at=now - timedelta(minutes=1))
    first = client.get("/dashboard/service/queue/").content.decode()
    assert "Page 1 of 2" in first and fresh.short_id not in first
    second = client.get("/dashboard/service/queue/?scope=mine&status=active&page=2")
    assert fresh.short_id in second.content.decode()
    assert '<option value="active" selected>' in first
    resolved = client.get("/dashboard/service/queue/?status=resolved").content.decode()
    assert late.short_id not in resolved and "No tickets here." in resolved


def test_the_assignee_reads_the_thread_as_an_audited_reveal_for_the_ticket(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, agent)
    page = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert "Grace&#x27;s kettle leaks" in page
    assert "second complaint this month" in page
    reveal = AuditEvent.objects.get(subject_id=caller.pk, action=AuditAction.CUSTOMER_REVEALED)
    assert reveal.purpose == f"ticket:{ticket.pk}" and reveal.metadata["fields"] == "notes"


def test_an_agent_not_assigned_sees_the_thread_hidden_and_cannot_reveal_it(
    signed_in, caller, make_staff
):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, make_staff(Role.SUPPORT_AGENT))
    page = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert "kettle" not in page and "second complaint" not in page
    assert "hidden" in page
    response = client.post(
        f"/dashboard/service/tickets/{ticket.pk}/reveal/",
        {"purpose": "reason:", "reason": "Covering for a colleague today"},
    )
    assert response.status_code == 403
    assert "kettle" not in response.content.decode()


def test_an_administrator_reveals_the_thread_with_a_typed_reason_for_one_page(signed_in, caller):
    client, _admin = signed_in(Role.ADMINISTRATOR)
    ticket = _ticket(caller, None)
    response = client.post(
        f"/dashboard/service/tickets/{ticket.pk}/reveal/",
        {"purpose": "reason:", "reason": "Reviewing a complaint escalation"},
    )
    assert response.status_code == 302
    assert "kettle" in client.get(response["Location"]).content.decode()
    assert "kettle" not in client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()


def test_notes_status_and_assignee_change_through_the_ticket_page(signed_in, caller, make_staff):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    colleague = make_staff(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, agent)
    url = f"/dashboard/service/tickets/{ticket.pk}/"
    client.post(url + "notes/", {"body": "We sent a new kettle", "visibility": "customer"})
    assert ticket.notes.filter(visibility="customer").get().body == "We sent a new kettle"
    response = client.post(
        url + "update/",
        {"status": "waiting", "priority": "urgent", "assignee": str(colleague.pk)},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("waiting", "urgent", colleague)
    bad = client.post(url + "notes/", {"body": "", "visibility": "internal"})
    assert bad.status_code == 400


def test_an_impossible_status_change_is_a_form_error(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, agent)
    services.change_status(ticket=ticket, status="closed", actor="staff:0")
    response = client.post(
        f"/dashboard/service/tickets/{ticket.pk}/update/",
        {"status": "open", "priority": "normal", "assignee": str(agent.pk)},
    )
    assert response.status_code == 400
    assert "cannot become open" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


@pytest.mark.parametrize("role", [Role.MARKETING, Role.PRIVACY_OFFICER])
def test_roles_without_the_tickets_action_are_refused(signed_in, caller, role):
    client, _user = signed_in(role)
    ticket = _ticket(caller, None)
    assert client.get("/dashboard/service/").status_code == 403
    assert client.get(f"/dashboard/service/tickets/{ticket.pk}/").status_code == 403
    assert client.post("/dashboard/service/", {"query": PHONE}).status_code == 403


def test_an_unassigned_ticket_can_be_taken(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, None)
    assert (
        ticket.short_id in client.get("/dashboard/service/queue/?scope=unassigned").content.decode()
    )
    client.post(f"/dashboard/service/tickets/{ticket.pk}/take/")
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_the_desk_speaks_bahasa_indonesia(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _ticket(caller, agent, priority="urgent")
    client.cookies["django_language"] = "id"
    desk = client.get("/dashboard/service/").content.decode()
    assert (
        "Siapa yang menelepon?" in desk
        and "Nomor telepon, email, nomor pesanan, atau nama penelepon" in desk
    )
    page = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert "Subjek dan utas" in page and "Mendesak" in page and "Catatan internal" in page
    refused = client.post(f"/dashboard/service/customers/{caller.pk}/tickets/new/", {})
    assert "Kolom ini wajib diisi." in refused.content.decode()


def test_the_start_page_lists_the_agents_tickets_overdue_first(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    now = timezone.now()
    fresh = _ticket(caller, agent, priority="low", opened_at=now)
    late = _ticket(caller, agent, priority="high", opened_at=now - timedelta(hours=9))
    page = client.get("/dashboard/").content.decode()
    assert "Your tickets, overdue first" in page
    assert page.index(late.short_id) < page.index(fresh.short_id)
    assert "kettle" not in page
