"""No endpoint shows one customer's basket: pairs and popular items need
RECS_MIN_SUPPORT distinct customers (default 5), and `personalized` is honest."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.services import PurchaseLine, record_purchases
from recommendations.services import build_model

pytestmark = pytest.mark.django_db(databases="__all__")
_orders = itertools.count()


def buy(customer, *products):
    number = next(_orders)
    record_purchases(
        lines=[
            PurchaseLine(
                customer_id=customer.pk, order_id=f"privacy-order-{number}", sku=product.sku,
                quantity=1, unit_price=Decimal("1.00"),
                purchased_at=timezone.now() - timedelta(days=100 - number % 100),
            )
            for product in products
        ],
        actor="system",
    )  # fmt: skip


@pytest.fixture
def shop(make_customer, make_product):
    """Six customers buy A and B together; then one customer alone buys three new skus."""
    a, b = make_product(sku="A-1"), make_product(sku="B-2")
    for _ in range(6):
        buy(make_customer(), a, b)
    loner = make_customer()
    buy(loner, *(make_product(sku=sku) for sku in ("NEW-1", "NEW-2", "NEW-3")))
    build_model()
    return loner


def skus(response) -> set[str]:
    assert response.status_code == 200
    return {item["sku"] for item in response.json()["results"]}


def test_three_new_skus_bought_by_one_customer_are_not_also_bought_with_each_other(client, shop):
    assert skus(client.get("/api/v1/products/NEW-1/also-bought/")) == set()
    assert skus(client.get("/api/v1/products/A-1/also-bought/")) == {"B-2"}


def test_a_rare_product_never_reaches_anyone_elses_recommendations(
    client, shop, make_customer, make_product
):
    shopper, stranger = make_customer(), make_customer(consents={"account": True})
    buy(shopper, make_product(sku="A-1"))
    for customer in (shopper, stranger):
        shown = skus(client.get(f"/api/v1/customers/{customer.pk}/recommendations/?limit=50"))
        assert not shown & {"NEW-1", "NEW-2", "NEW-3"}
    for sku in ("A-1", "B-2"):
        assert not skus(client.get(f"/api/v1/products/{sku}/also-bought/?limit=50")) & {
            "NEW-1", "NEW-2", "NEW-3"
        }  # fmt: skip


def test_personalized_is_false_when_only_popular_items_are_listed(client, shop):
    # The loner consents to personalization, but nothing they bought has a neighbour
    # enough customers stand behind: the list is popular items, and says so.
    body = client.get(f"/api/v1/customers/{shop.pk}/recommendations/").json()
    assert body["personalized"] is False
    assert body["results"] and {item["reason"] for item in body["results"]} == {"popular"}
    assert {item["sku"] for item in body["results"]} == {"A-1", "B-2"}


def test_personalized_is_true_when_the_customers_purchases_led_to_the_list(
    client, shop, make_customer, make_product
):
    shopper = make_customer()
    buy(shopper, make_product(sku="A-1"))
    body = client.get(f"/api/v1/customers/{shopper.pk}/recommendations/").json()
    assert body["personalized"] is True
    assert body["results"][0] == {
        "sku": "B-2", "score": body["results"][0]["score"], "because": ["A-1"],
        "reason": "bought_together",
    }  # fmt: skip
