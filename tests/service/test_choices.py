"""service.choices (issue 27.3): the rules behind a choice recorded for the customer,
whatever surface calls it."""

import pytest
from django.core.exceptions import ValidationError

from consent.models import ConsentEvent
from service.choices import record_choice_for_customer

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"purpose": "account", "granted": False}, "purpose", "erasure request"),
        (
            {"purpose": "sensitive_personalization", "granted": True, "notice_delivery": "sent"},
            "purpose",
            "Only the customer",
        ),
        ({"purpose": "marketing_post", "granted": True}, "notice_delivery", "read out or sent"),
        ({"channel": "email"}, "channel", "phone, post or in person"),
        ({"note": "x" * 2001}, "note", "2000"),
    ],
)
def test_the_rules_hold_below_the_form(make_customer, values, field, message):
    customer = make_customer()
    arguments = {
        "customer": customer,
        "purpose": "marketing_phone",
        "granted": False,
        "channel": "phone",
        "actor": "staff:1",
    }
    arguments.update(values)
    before = ConsentEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        record_choice_for_customer(**arguments)
    assert message in " ".join(raised.value.message_dict[field])
    assert ConsentEvent.objects.count() == before


def test_a_withdrawal_needs_no_notice_and_is_always_recorded(make_customer):
    customer = make_customer(consents={"account": True})  # nothing to withdraw: still recorded
    recorded = record_choice_for_customer(
        customer=customer,
        purpose="marketing_phone",
        granted=False,
        channel="in_person",
        actor="staff:1",
    )
    assert not recorded.pending and recorded.state.granted is False
    assert recorded.state.event.channel == "in_person"
