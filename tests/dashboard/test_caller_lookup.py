"""Finding the caller (issue 27.1): the service desk and the customer search find a
customer by order number and by whole words of the name, and a caller found that way
opens the customer with the call as the purpose of the ticket opened for them."""

import pytest

from access.roles import Role
from service.models import Ticket, TicketOrigin

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_desk_finds_the_caller_by_order_number(signed_in, make_customer, buy):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    caller = make_customer(full_name="Sam Morin")
    make_customer(full_name="Ana Duval")
    buy(caller, "SKU-KETTLE", order="ORD-2026-0042")
    response = client.post("/dashboard/service/", {"query": " ORD-2026-0042 "})
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/service/customers/{caller.pk}/"


def test_the_desk_finds_the_caller_by_a_word_of_their_name(signed_in, make_customer):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    caller = make_customer(full_name="Sam Morin")
    other = make_customer(full_name="Ana Morin")
    response = client.post("/dashboard/service/", {"query": "sam morin"})
    assert response["Location"] == f"/dashboard/service/customers/{caller.pk}/"
    both = client.post("/dashboard/service/", {"query": "Morin"})
    assert both["Location"] == "/dashboard/service/matches/"
    page = client.get("/dashboard/service/matches/").content.decode()
    assert str(caller.pk)[:8] in page and str(other.pk)[:8] in page
    assert "Morin" not in page  # masked, as for a shared phone number
    assert client.post("/dashboard/service/", {"query": "Mori"}).status_code == 400


def test_a_name_lookup_is_off_with_the_setting(signed_in, make_customer, settings):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    sam = make_customer(full_name="Sam Morin")
    found = client.post("/dashboard/service/", {"query": "Morin"})
    assert found["Location"] == f"/dashboard/service/customers/{sam.pk}/"
    settings.CUSTOMER_NAME_INDEX = False
    response = client.post("/dashboard/service/", {"query": "Morin"})
    assert response.status_code == 400


def test_a_ticket_for_a_caller_found_by_order_is_the_customers_contact(
    signed_in, make_customer, buy
):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    caller = make_customer(full_name="Sam Morin")
    buy(caller, "SKU-KETTLE", order="ORD-7")
    client.post("/dashboard/service/", {"query": "ORD-7"})
    client.post(
        f"/dashboard/service/customers/{caller.pk}/tickets/new/",
        {
            "channel": "phone",
            "topic": "delivery",
            "priority": "normal",
            "subject": "Where is my kettle",
            "note_visibility": "internal",
            "assign_to_me": "on",
        },
    )
    assert Ticket.objects.get(customer=caller).origin == TicketOrigin.CALLER


def test_the_customer_search_finds_by_order_number_and_name(signed_in, make_customer, buy):
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    sam = make_customer(full_name="Sam Morin")
    buy(sam, "SKU-KETTLE", order="ORD-9")
    by_order = client.post("/dashboard/customers/search/", {"query": "ORD-9"})
    assert by_order["Location"] == f"/dashboard/customers/{sam.pk}/"
    by_name = client.post("/dashboard/customers/search/", {"query": "MORIN"})
    assert by_name["Location"] == f"/dashboard/customers/{sam.pk}/"


def test_among_several_matches_only_the_one_picked_is_the_caller(signed_in, make_customer):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    sam = make_customer(full_name="Sam Morin")
    ana = make_customer(full_name="Ana Morin")
    client.post("/dashboard/service/", {"query": "Morin"})
    client.get(f"/dashboard/service/customers/{sam.pk}/")  # picked from the matches
    ticket = {
        "channel": "phone",
        "topic": "delivery",
        "priority": "normal",
        "subject": "Where is my kettle",
        "note_visibility": "internal",
        "assign_to_me": "on",
    }
    client.post(f"/dashboard/service/customers/{ana.pk}/tickets/new/", ticket)
    client.post(f"/dashboard/service/customers/{sam.pk}/tickets/new/", ticket)
    assert Ticket.objects.get(customer=ana).origin != TicketOrigin.CALLER
    assert Ticket.objects.get(customer=sam).origin == TicketOrigin.CALLER
