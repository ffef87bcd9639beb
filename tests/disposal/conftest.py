from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from consent.evidence import Confirmation
from consent.services import set_consent
from customers.models import InteractionChannel
from customers.services import PurchaseLine, record_interaction, record_purchases


@pytest.fixture
def history(make_customer, make_product):
    """A customer with purchases, a service note, consent changes and audit events."""

    def make(**kwargs):
        customer = make_customer(**kwargs)
        products = [make_product(), make_product()]
        now = timezone.now()
        record_purchases(
            lines=[
                PurchaseLine(
                    customer.pk,
                    f"order-{customer.pk.hex[:8]}",
                    p.sku,
                    1,
                    Decimal("9.99"),
                    now - timedelta(days=i),
                )
                for i, p in enumerate(products)
            ],
            actor="api-key:test",
        )
        record_interaction(
            customer=customer,
            channel=InteractionChannel.EMAIL,
            note="Asked about a refund for the blue kettle.",
            actor="staff:1",
        )
        set_consent(
            customer=customer,
            purpose="marketing_email",
            granted=True,
            source="api",
            actor="api-key:t",
            confirmation=Confirmation(now, "email_link"),  # the storefront's own opt-in
        )
        return customer

    return make
