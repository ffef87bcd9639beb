"""Property test (hypothesis): erase any customer, whatever they hold, and an export
finds nothing of them: the access request is refused and every registered table, walked
the way the export walks it, has no row of theirs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.evidence import Confirmation
from consent.services import set_consent
from customers.models import InteractionChannel
from customers.services import PurchaseLine, record_interaction, record_purchases
from disposal import services
from disposal.exceptions import UnknownSubject
from disposal.exports import export_customer, gather
from disposal.models import ErasureSource, ErasureStatus
from disposal.verification import verify_erasure

pytestmark = pytest.mark.django_db(databases="__all__")

OPTIONAL_PURPOSES = ["personalization", "marketing_email", "marketing_post", "analytics"]
texts = st.text(min_size=1, max_size=80).filter(str.strip)

customers = st.fixed_dictionaries(
    {
        "full_name": st.one_of(st.just(""), texts),
        "postal_address": st.one_of(st.none(), texts),
        "notes": st.lists(texts, max_size=3),
        "purchases": st.integers(min_value=0, max_value=3),
        "consents": st.dictionaries(st.sampled_from(OPTIONAL_PURPOSES), st.booleans()),
        "source": st.sampled_from(ErasureSource.values),
    }
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=customers)
def test_after_erasure_an_export_of_any_customer_finds_nothing(
    make_customer, make_product, django_capture_on_commit_callbacks, data
):
    customer = make_customer(full_name=data["full_name"], postal_address=data["postal_address"])
    for note in data["notes"]:
        record_interaction(
            customer=customer, channel=InteractionChannel.PHONE, note=note, actor="staff:1"
        )
    now = timezone.now()
    record_purchases(
        lines=[
            PurchaseLine(
                customer.pk,
                f"order-{customer.pk.hex[:8]}",
                make_product().sku,
                1,
                Decimal("4.20"),
                now - timedelta(days=number),
            )
            for number in range(data["purchases"])
        ],
        actor="api-key:test",
    )
    for purpose, granted in data["consents"].items():
        set_consent(
            customer=customer,
            purpose=purpose,
            granted=granted,
            source="api",
            actor="t",
            confirmation=Confirmation(timezone.now(), "email_link"),
        )
    assert any(section["records"] for section in gather(customer.pk).values())

    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(
            customer_id=customer.pk, source=data["source"], actor="staff:1"
        )
    request.refresh_from_db()

    assert request.status == ErasureStatus.DONE
    with pytest.raises(UnknownSubject):
        export_customer(customer_id=customer.pk, actor="api-key:x")
    left = {
        label: rows
        for section in gather(customer.pk).values()
        for label, rows in section["records"].items()
        if rows
    }
    assert left == {}
    assert verify_erasure(request.pk).clean
