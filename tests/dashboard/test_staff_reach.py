"""Issue 25, items 1-3, through the dashboard: a purpose to reveal is real only when the
customer started the contact or someone else assigned the work; a call-list entry
reveals name and phone only; typed reasons and self-made reach are flagged for review;
sensitive products are "Sensitive item" to roles that may not see them; a sensitive
category is never a list filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from access.roles import Role
from audit.actors import CUSTOMER
from audit.models import AuditAction, AuditEvent
from campaigns.models import Campaign, Segment
from campaigns.services import start_send
from service import services
from service.models import Ticket

pytestmark = pytest.mark.django_db(databases="__all__")

EMAIL = "mary.seacole@example.com"
PHONE = "+44 20 7946 0777"
REASON = "Customer in the shop asked us to fix a delivery address"
NO_MARKETING = {
    "account": True,
    "marketing_email": False,
    "marketing_post": False,
    "marketing_phone": False,
}


@pytest.fixture
def mary(make_customer):
    return make_customer(
        email=EMAIL, full_name="Mary Seacole", phone=PHONE, postal_address="1 Spring Lane"
    )


def _url(customer, suffix=""):
    return f"/dashboard/customers/{customer.pk}/{suffix}"


def _reveal(client, customer, purpose, fields=("name", "email", "phone", "address"), reason=""):
    return client.post(
        _url(customer, "reveal/"),
        {"fields_to_reveal": list(fields), "purpose": purpose, "reason": reason},
    )


def _open_own_ticket(client, customer) -> Ticket:
    """What an agent can do alone: open a ticket for anyone, "Assign to me" ticked."""
    response = client.post(
        f"/dashboard/service/customers/{customer.pk}/tickets/new/",
        {
            "channel": "phone",
            "topic": "delivery",
            "priority": "normal",
            "subject": "Where is my parcel",
            "note_visibility": "internal",
            "assign_to_me": "on",
        },
    )
    assert response.status_code == 302
    return Ticket.objects.get(customer=customer)


def _events(customer, action):
    return AuditEvent.objects.filter(subject_id=customer.pk, action=action).order_by("id")


# Item 1: self-made access is not access.


def test_an_agent_who_opens_a_ticket_themselves_gets_the_masked_view(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _open_own_ticket(client, mary)
    page = client.get(_url(mary)).content.decode()
    assert f'value="ticket:{ticket.pk}"' not in page
    assert "data-self-made" in page

    refused = _reveal(client, mary, f"ticket:{ticket.pk}")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Mary" not in html and EMAIL not in html and "Spring Lane" not in html
    assert not _events(mary, AuditAction.CUSTOMER_REVEALED).exists()

    thread = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert "Where is my parcel" not in thread


def test_taking_an_unassigned_ticket_someone_else_opened_is_no_purpose(signed_in, mary):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = services.open_ticket(
        customer=mary, channel="phone", subject="Parcel", actor="staff:999999"
    )
    client.post(f"/dashboard/service/tickets/{ticket.pk}/take/")
    ticket.refresh_from_db()
    assert ticket.assignee_id == agent.pk
    refused = _reveal(client, mary, f"ticket:{ticket.pk}", fields=["email"])
    assert refused.status_code == 400 and EMAIL not in refused.content.decode()


def test_a_break_glass_reason_reveals_and_is_flagged_for_review(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    _open_own_ticket(client, mary)
    response = _reveal(client, mary, "reason:", fields=["email"], reason=REASON)
    assert response.status_code == 302
    assert EMAIL in client.get(_url(mary)).content.decode()
    event = _events(mary, AuditAction.CUSTOMER_REVEALED).get()
    assert event.metadata == {"fields": "email", "role": "support_agent", "review": "break_glass"}
    assert event.purpose.startswith("reason:")


def test_views_reached_only_through_self_made_work_are_flagged(signed_in, mary, make_customer):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    _open_own_ticket(client, mary)
    client.get(_url(mary))
    view = _events(mary, AuditAction.CUSTOMER_VIEWED).last()
    assert view.metadata == {"role": "support_agent", "review": "self_made"}

    other = make_customer()
    services.open_ticket(
        customer=other, channel="phone", subject="x", actor="staff:999999", assignee=agent
    )
    client.get(_url(other))
    assert "review" not in _events(other, AuditAction.CUSTOMER_VIEWED).last().metadata


def test_a_ticket_the_customer_started_in_the_portal_is_a_purpose(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    ticket = services.open_ticket(
        customer=mary, channel="web", subject="Refund please", actor=CUSTOMER
    )
    client.post(f"/dashboard/service/tickets/{ticket.pk}/take/")
    response = _reveal(client, mary, f"ticket:{ticket.pk}")
    assert response.status_code == 302
    page = client.get(_url(mary)).content.decode()
    assert "Mary Seacole" in page and EMAIL in page and "Spring Lane" in page
    event = _events(mary, AuditAction.CUSTOMER_REVEALED).get()
    assert "review" not in event.metadata


def test_a_customer_reply_makes_a_self_opened_ticket_a_purpose(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    ticket = _open_own_ticket(client, mary)
    assert _reveal(client, mary, f"ticket:{ticket.pk}", fields=["email"]).status_code == 400
    services.add_note(ticket=ticket, body="Still not here", visibility="customer", actor=CUSTOMER)
    assert _reveal(client, mary, f"ticket:{ticket.pk}", fields=["email"]).status_code == 302


def test_a_ticket_opened_within_the_caller_lookup_is_a_purpose(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    found = client.post("/dashboard/service/", {"query": PHONE})
    assert found["Location"] == f"/dashboard/service/customers/{mary.pk}/"
    ticket = _open_own_ticket(client, mary)
    assert ticket.origin == "caller"
    assert _reveal(client, mary, f"ticket:{ticket.pk}", fields=["name"]).status_code == 302
    thread = client.get(f"/dashboard/service/tickets/{ticket.pk}/").content.decode()
    assert "Where is my parcel" in thread


def test_a_lookup_long_before_is_not_the_same_call(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    client.post("/dashboard/service/", {"query": PHONE})
    session = client.session
    session["service_caller_lookup"]["at"] = (timezone.now() - timedelta(hours=2)).isoformat()
    session.save()
    ticket = _open_own_ticket(client, mary)
    assert ticket.origin == "staff"
    assert _reveal(client, mary, f"ticket:{ticket.pk}", fields=["name"]).status_code == 400


def test_a_ticket_someone_else_assigned_is_a_purpose(signed_in, mary, make_staff):
    lead = make_staff(Role.SUPPORT_AGENT)
    client, agent = signed_in(Role.SUPPORT_AGENT)
    ticket = services.open_ticket(
        customer=mary, channel="phone", subject="Parcel", actor=f"staff:{lead.pk}"
    )
    services.assign_ticket(ticket=ticket, assignee=agent, actor=f"staff:{lead.pk}")
    assert _reveal(client, mary, f"ticket:{ticket.pk}", fields=["phone"]).status_code == 302


def test_an_agent_with_no_work_for_the_customer_cannot_break_glass(signed_in, mary):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    response = _reveal(client, mary, "reason:", fields=["email"], reason=REASON)
    assert response.status_code == 403 and EMAIL not in response.content.decode()


def _call_for(customer):
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(
        name="Call", segment=segment, channel="phone", holdout_percent=0, created_by="t"
    )
    start_send(campaign_id=campaign.pk, actor="staff:1")
    return campaign.recipients.get(customer=customer)


def test_a_call_list_entry_reveals_name_and_phone_only(signed_in, make_customer):
    callee = make_customer(
        email=EMAIL,
        full_name="Mary Seacole",
        phone=PHONE,
        postal_address="1 Spring Lane",
        consents={**NO_MARKETING, "marketing_phone": True},
    )
    call = _call_for(callee)
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    client.post(f"/dashboard/campaigns/{call.campaign_id}/calls/next/")  # the agent's call
    purpose = f"call:{call.pk}"
    for field in ("email", "address", "notes"):
        refused = _reveal(client, callee, purpose, fields=["name", field])
        assert refused.status_code == 400, field
        assert "reveals only" in refused.content.decode()
    assert not _events(callee, AuditAction.CUSTOMER_REVEALED).exists()

    allowed = _reveal(client, callee, purpose, fields=["name", "phone"])
    assert allowed.status_code == 302
    page = client.get(_url(callee)).content.decode()
    assert "Mary Seacole" in page and "+442079460777" in page
    assert EMAIL not in page and "Spring Lane" not in page


# Item 2: special-category data is masked like profile fields.


def test_sensitive_purchases_are_masked_for_an_agent_and_shown_to_a_privacy_officer(
    signed_in, mary, buy, make_product, client
):
    make_product(sku="PREG-TEST-1", name="Pregnancy test", category="health")
    make_product(sku="NOVEL-1", name="A long novel", category="books")
    buy(mary, "PREG-TEST-1", category="health")
    buy(mary, "NOVEL-1", category="books")
    agent_client, _agent = signed_in(Role.SUPPORT_AGENT)
    page = agent_client.get(_url(mary)).content.decode()
    assert "Sensitive item" in page and "A long novel" in page
    assert "Pregnancy" not in page and "PREG-TEST" not in page and "health" not in page
    client.logout()

    officer_client, _officer = signed_in(Role.PRIVACY_OFFICER)
    officer_page = officer_client.get(_url(mary)).content.decode()
    assert "Pregnancy test" in officer_page and "health" in officer_page
    assert "Sensitive item" not in officer_page


def test_call_list_offers_name_no_sensitive_product_to_an_agent(
    signed_in, make_customer, buy, client
):
    callee = make_customer(
        consents={
            **NO_MARKETING,
            "marketing_phone": True,
            "personalization": True,
            "sensitive_personalization": True,
        }
    )
    buy(callee, "PREG-TEST-1", category="health", order="o-1")
    buy(callee, "PREG-TEST-1", category="health", order="o-2")
    call = _call_for(callee)
    Campaign.objects.filter(pk=call.campaign_id).update(include_offers=True, offers_limit=5)
    agent_client, _agent = signed_in(Role.SUPPORT_AGENT)
    agent_client.post(f"/dashboard/campaigns/{call.campaign_id}/calls/next/")
    page = agent_client.get(f"/dashboard/campaigns/{call.campaign_id}/calls/").content.decode()
    assert "Sensitive item" in page and "PREG-TEST-1" not in page


# Item 3: sensitive categories are never a filter.


@pytest.mark.parametrize("role", [Role.MARKETING, Role.SUPPORT_AGENT])
def test_a_sensitive_category_is_never_a_list_filter(signed_in, make_customer, buy, role):
    health_buyer = make_customer()
    reader = make_customer()
    buy(health_buyer, "PREG-TEST-1", category="health")
    buy(reader, "NOVEL-1", category="books")
    client, _user = signed_in(role)

    listing = client.get("/dashboard/customers/")
    assert 'value="health"' not in listing.content.decode()
    assert 'value="books"' in listing.content.decode()

    response = client.get("/dashboard/customers/?category=health")
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert str(health_buyer.pk)[:8] not in html and str(reader.pk)[:8] not in html

    books = client.get("/dashboard/customers/?category=books").content.decode()
    assert str(reader.pk)[:8] in books and str(health_buyer.pk)[:8] not in books
