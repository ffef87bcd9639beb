from datetime import timedelta

import pytest
from django.utils import timezone

from access.policy import Field, can_reveal
from access.roles import Role
from service import selectors, services

pytestmark = pytest.mark.django_db(databases="__all__")


def test_my_queue_lists_my_open_tickets_overdue_first(make_ticket, agent, make_staff):
    now = timezone.now()
    later = make_ticket(priority="low", opened_at=now)  # due in 72 h
    overdue = make_ticket(priority="urgent", opened_at=now - timedelta(hours=10))
    soon = make_ticket(priority="urgent", opened_at=now)  # due in 4 h
    done = make_ticket(priority="urgent", opened_at=now - timedelta(hours=20))
    services.change_status(ticket=done, status="resolved", actor="staff:1")
    make_ticket(assignee=make_staff(Role.SUPPORT_AGENT))  # someone else's

    queue = list(selectors.ticket_queue(user=agent))

    assert [ticket.pk for ticket in queue] == [overdue.pk, soon.pk, later.pk]
    assert selectors.is_overdue(queue[0]) and not selectors.is_overdue(queue[1])
    assert selectors.overdue_count(user=agent) == 1


def test_the_unassigned_queue_holds_tickets_nobody_works(make_ticket, agent):
    nobodys = make_ticket(assignee=None)
    make_ticket()
    assert [t.pk for t in selectors.ticket_queue(scope="unassigned")] == [nobodys.pk]


def test_the_customer_view_of_a_thread_never_holds_internal_notes(make_ticket):
    ticket = make_ticket(note="Customer sounded drunk", note_visibility="internal")
    services.add_note(
        ticket=ticket, body="A new parcel is on its way", visibility="customer", actor="staff:1"
    )
    services.add_note(ticket=ticket, body="Thanks!", visibility="customer", actor="customer")

    shown = [note.body for note in selectors.thread_of(ticket, customer_view=True)]
    everything = [note.body for note in selectors.thread_of(ticket)]

    assert shown == ["A new parcel is on its way", "Thanks!"]
    assert everything == ["Customer sounded drunk", *shown]


def test_an_open_ticket_assigned_to_an_agent_lets_them_reveal_that_customer(
    make_ticket, agent, customer
):
    assert not can_reveal(agent, customer.pk, Field.PHONE)
    ticket = make_ticket()
    items = selectors.assigned_tickets(agent.pk, customer.pk)
    assert [item.purpose for item in items] == [f"ticket:{ticket.pk}"]
    assert can_reveal(agent, customer.pk, Field.PHONE)
    services.change_status(ticket=ticket, status="resolved", actor="staff:1")
    assert not can_reveal(agent, customer.pk, Field.PHONE)


def test_a_customers_ticket_is_found_only_under_that_customer(make_ticket, make_customer):
    ticket = make_ticket()
    stranger = make_customer()
    assert selectors.customer_ticket(ticket.customer_id, ticket.pk) == ticket
    assert selectors.customer_ticket(stranger.pk, ticket.pk) is None
    assert selectors.customer_ticket(ticket.customer_id, "not-a-uuid") is None


def test_ticket_agents_are_support_agents_and_administrators(make_staff):
    agent = make_staff(Role.SUPPORT_AGENT)
    admin = make_staff(Role.ADMINISTRATOR)
    make_staff(Role.MARKETING)
    make_staff(Role.PRIVACY_OFFICER)
    assert set(selectors.ticket_agents()) == {agent, admin}
