"""The customer's tickets in the portal: status and replies, never internal notes; a
reply reopens a waiting ticket; "contact us" opens a web ticket; others' tickets 404."""

import pytest

from access.roles import Role
from service import services
from service.models import Ticket
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def ticket(customer, make_staff):
    agent = make_staff(Role.SUPPORT_AGENT)
    actor = f"staff:{agent.pk}"
    ticket = services.open_ticket(
        customer=customer,
        channel="phone",
        topic="delivery",
        subject="Parcel never arrived",
        actor=actor,
        assignee=agent,
        note="INTERNAL: courier flagged this address before",
    )
    services.add_note(
        ticket=ticket, body="A new parcel left today.", visibility="customer", actor=actor
    )
    return services.change_status(ticket=ticket, status="waiting", actor=actor)


def test_the_customer_sees_status_and_replies_but_never_internal_notes(signed_in, ticket):
    listing = signed_in.get("/portal/tickets/").content.decode()
    assert "Parcel never arrived" in listing and "Waiting for your reply" in listing
    page = signed_in.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "A new parcel left today." in page
    assert "INTERNAL" not in page and "courier flagged" not in page
    my_data = signed_in.get("/portal/my-data/").content.decode()
    assert "courier flagged" not in my_data and "/portal/tickets/" in my_data


def test_a_reply_joins_the_thread_and_brings_the_ticket_back_to_the_team(signed_in, ticket):
    response = signed_in.post(f"/portal/tickets/{ticket.pk}/", {"message": "Still not here"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.notes.filter(author="customer").get().body == "Still not here"
    empty = signed_in.post(f"/portal/tickets/{ticket.pk}/", {"message": "  "})
    assert empty.status_code == 400 and "There is a problem" in empty.content.decode()


def test_contact_us_opens_a_web_ticket_the_team_sees_unassigned(signed_in, customer):
    response = signed_in.post(
        "/portal/tickets/new/",
        {"topic": "billing", "subject": "Charged twice", "message": "Order 123 was charged twice"},
    )
    ticket = Ticket.objects.get(customer=customer)
    assert response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert (ticket.channel, ticket.topic, ticket.assignee, ticket.opened_by) == (
        "web",
        "billing",
        None,
        "customer",
    )
    assert ticket.notes.get().visibility == "customer"
    bad = signed_in.post("/portal/tickets/new/", {"topic": "billing", "subject": "", "message": ""})
    assert bad.status_code == 400 and Ticket.objects.count() == 1


def test_another_customers_ticket_is_not_found(client, ticket, make_customer):
    stranger = make_customer()
    sign_in(client, stranger)
    assert client.get(f"/portal/tickets/{ticket.pk}/").status_code == 404
    assert "Parcel never arrived" not in client.get("/portal/tickets/").content.decode()


def test_ticket_pages_ask_for_sign_in(client, ticket):
    assert client.get("/portal/tickets/")["Location"] == "/portal/sign-in/"
    assert client.get(f"/portal/tickets/{ticket.pk}/")["Location"] == "/portal/sign-in/"


def test_the_ticket_pages_speak_bahasa_indonesia(signed_in, ticket):
    signed_in.cookies["django_language"] = "id"
    listing = signed_in.get("/portal/tickets/").content.decode()
    assert "Pertanyaan dan keluhan Anda" in listing and "Menunggu balasan Anda" in listing
    page = signed_in.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Tim layanan kami" in page and "Pengiriman" in page
