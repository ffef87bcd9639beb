from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Segment
from customers.services import PurchaseLine, record_purchases

MARKETING_EMAIL = {"account": True, "personalization": True, "marketing_email": True}
NO_MARKETING = {"account": True, "personalization": True}


@pytest.fixture
def buy(make_product):
    """buy(customer, sku, category="books", days_ago=1, order=None, price="10.00")."""
    counter = iter(range(1, 1_000_000))

    def purchase(customer, sku, *, category="books", days_ago=1, order=None, price="10.00", qty=1):
        make_product(sku=sku, category=category)
        record_purchases(
            lines=[
                PurchaseLine(
                    customer.pk,
                    order or f"o-{next(counter)}",
                    sku,
                    qty,
                    Decimal(price),
                    timezone.now() - timedelta(days=days_ago),
                )
            ],
            actor="api-key:test",
        )

    return purchase


@pytest.fixture
def email_campaign(db):
    def make(segment=None, **fields):
        segment = segment or Segment.objects.create(name="Everyone", created_by="staff:1")
        defaults = {
            "name": "Spring offers",
            "channel": "email",
            "subject": "New in spring",
            "body": "Hello.\n\nSpring is here.",
            "holdout_percent": 0,
            "created_by": "staff:1",
        }
        return Campaign.objects.create(segment=segment, **{**defaults, **fields})

    return make
