"""Demo tickets for `make run` (seed_demo_staff): a queue with work in it for the demo
agent (some overdue), a few unassigned, and one on the portal demo customer with a reply
and an internal note, so both sides of the desk can be tried at once. Idempotent: a
customer who already has tickets is left alone."""

from datetime import timedelta

from django.utils import timezone

from customers import demo
from customers.selectors import customer_by_external_id
from service import services
from service.models import Ticket

ACTOR = "system:seed_demo"

# (demo customer number, channel, topic, priority, hours ago, assigned to the agent,
#  status, complaint, subject, [(visibility, note)])
DEMO_TICKETS = (
    (
        1,
        "phone",
        "delivery",
        "high",
        12,
        True,
        "open",
        True,
        "Parcel marked delivered but never arrived",
        [
            ("internal", "Courier photo shows a different door."),
            ("customer", "We have asked the courier to investigate and will update you by Friday."),
        ],
    ),
    (
        5,
        "email",
        "return",
        "normal",
        30,
        True,
        "open",
        False,
        "Refund for returned jacket not received",
        [("internal", "Return scanned at the warehouse on Monday.")],
    ),
    (
        6,
        "chat",
        "product",
        "normal",
        2,
        True,
        "waiting",
        False,
        "Which filter fits the coffee machine?",
        [("customer", "Could you tell us the model number on the base?")],
    ),
    (7, "phone", "billing", "urgent", 1, True, "open", False, "Charged twice for one order", []),
    (
        8,
        "store",
        "order",
        "low",
        5,
        False,
        "open",
        False,
        "Wants to change the delivery address of an order",
        [],
    ),
    (9, "email", "account", "normal", 3, False, "open", False, "Cannot sign in to the shop", []),
    (
        10,
        "phone",
        "delivery",
        "normal",
        72,
        True,
        "resolved",
        False,
        "Delivery slot missed",
        [("customer", "Rebooked for Tuesday morning. Sorry for the wait.")],
    ),
)


def _open(customer, agent, spec) -> Ticket:
    _number, channel, topic, priority, hours, assigned, status, complaint, subject, notes = spec
    ticket = services.open_ticket(
        customer=customer,
        channel=channel,
        topic=topic,
        priority=priority,
        subject=subject,
        complaint=complaint,
        assignee=agent if assigned else None,
        actor=ACTOR,
        opened_at=timezone.now() - timedelta(hours=hours),
    )
    for visibility, body in notes:
        services.add_note(ticket=ticket, body=body, visibility=visibility, actor=ACTOR)
    if status != ticket.status:
        services.change_status(ticket=ticket, status=status, actor=ACTOR)
    return ticket


def seed_tickets(*, agent) -> int:
    """Open the demo tickets for demo customers that have none yet; returns how many."""
    opened = 0
    for spec in DEMO_TICKETS:
        customer = customer_by_external_id(demo.external_id(spec[0]))
        if customer is None or Ticket.objects.filter(customer=customer).exists():
            continue
        _open(customer, agent, spec)
        opened += 1
    portal = customer_by_external_id(demo.PORTAL_DEMO_EXTERNAL_ID)
    if portal is not None and not Ticket.objects.filter(customer=portal).exists():
        _open(
            portal,
            agent,
            (
                0,
                "email",
                "delivery",
                "normal",
                20,
                True,
                "waiting",
                False,
                "Teapot lid arrived cracked",
                [
                    ("internal", "Second breakage from this packer this week."),
                    ("customer", "Sorry about that. Could you send a photo of the lid?"),
                ],
            ),
        )
        opened += 1
    return opened
