import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.services import PurchaseLine, record_purchases

_orders = itertools.count()


@pytest.fixture
def buy():
    """buy(customer, *products): one order holding those products, a day after the last."""
    start = timezone.now() - timedelta(days=365)

    def purchase(customer, *products):
        number = next(_orders)
        lines = [
            PurchaseLine(
                customer_id=customer.pk,
                order_id=f"order-{number}",
                sku=product.sku,
                quantity=1,
                unit_price=Decimal(str(product.price)),
                purchased_at=start + timedelta(days=number),
            )
            for product in products
        ]
        record_purchases(lines=lines, actor="system")

    return purchase


@pytest.fixture
def catalogue(make_product):
    return {name: make_product(sku=name.upper()) for name in "abcdefgh"}
