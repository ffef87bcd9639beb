"""v1.1 returns: POST /api/v1/returns/ records items of a recorded line coming back;
a fully returned line stops counting as evidence for recommendations."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from customers.models import Product, Purchase, PurchaseReturn
from customers.services import PurchaseLine, record_purchases
from recommendations.models import Contributor
from recommendations.services import build_model

pytestmark = pytest.mark.django_db(databases="__all__")


def _buy(customer, order_id, *skus, quantity=1):
    record_purchases(
        lines=[
            PurchaseLine(
                customer_id=customer.pk,
                order_id=order_id,
                sku=sku,
                quantity=quantity,
                unit_price=Decimal("1.00"),
                # Bought before the returns below (a return before its purchase is 400).
                purchased_at=datetime(2026, 11, 20, tzinfo=UTC),
            )
            for sku in skus
        ],
        actor="test",
    )


def _return(client, order_id="o-1", sku="A", quantity=1, **extra):
    body = {
        "order_id": order_id,
        "sku": sku,
        "quantity": quantity,
        "returned_at": "2026-11-21T09:00:00+01:00",
        **extra,
    }
    return client.post("/api/v1/returns/", body, format="json")


def test_a_return_is_recorded_up_to_the_quantity_bought(client, customer, make_product):
    make_product(sku="A")
    _buy(customer, "o-1", "A", quantity=3)
    first = _return(client, quantity=2)
    assert first.status_code == 201
    body = first.json()
    assert (body["quantity"], body["bought_quantity"], body["returned_quantity"]) == (2, 3, 2)
    assert body["returned_at"] == "2026-11-21T08:00:00Z"
    too_many = _return(client, quantity=2)
    assert too_many.status_code == 400 and "At most 1" in too_many.json()["quantity"][0]
    assert _return(client, quantity=1).json()["returned_quantity"] == 3
    assert Purchase.objects.get().returned_quantity == 3
    assert PurchaseReturn.objects.count() == 2


def test_returns_of_unknown_lines_and_bad_input_are_400s(client, customer, make_product):
    make_product(sku="A")
    _buy(customer, "o-1", "A")
    assert "order_id" in _return(client, order_id="nope").json()
    assert "order_id" in _return(client, sku="B").json()
    assert "quantity" in _return(client, quantity=0).json()
    naive = _return(client, returned_at="2026-11-21T09:00:00")
    assert naive.status_code == 400 and "time zone" in naive.json()["returned_at"][0]
    unknown = _return(client, reason="too small")
    assert unknown.status_code == 400 and unknown.json() == {"reason": ["Unknown field."]}
    assert not PurchaseReturn.objects.exists()


def test_a_key_without_the_purchases_scope_cannot_record_returns(make_client):
    client = make_client(scopes=["customers"])
    assert _return(client).status_code == 403


def test_a_fully_returned_line_is_no_evidence_for_recommendations(
    client, make_customer, make_product
):
    for sku in ("A", "B", "C", "D"):
        make_product(sku=sku)
    for n in range(6):
        _buy(make_customer(), f"ab-{n}", "A", "B")
        _buy(make_customer(), f"cd-{n}", "C", "D")
    shopper = make_customer()
    _buy(shopper, "s-1", "A")
    _buy(shopper, "s-2", "C", quantity=2)
    build_model()
    before = client.get(f"/api/v1/customers/{shopper.pk}/recommendations/").json()
    assert {sku for item in before["results"] for sku in item["because"]} == {"A", "C"}
    assert _return(client, order_id="s-1", sku="A").status_code == 201
    assert _return(client, order_id="s-2", sku="C").status_code == 201  # 1 of 2: still evidence
    after = client.get(f"/api/v1/customers/{shopper.pk}/recommendations/").json()
    because = {sku for item in after["results"] for sku in item["because"]}
    assert because == {"C"}
    # What was returned is still never recommended back.
    assert "A" not in {item["sku"] for item in after["results"]}
    # The next build does not count the returned line either.
    build = build_model()
    basket = Contributor.objects.get(build=build, customer_id=shopper.pk).products
    assert basket == [Product.objects.get(sku="C").pk]
    rebuilt = client.get(f"/api/v1/customers/{shopper.pk}/recommendations/").json()
    assert {sku for item in rebuilt["results"] for sku in item["because"]} == {"C"}


def test_return_messages_are_translated(client, customer, make_product):
    make_product(sku="A")
    _buy(customer, "o-1", "A")
    response = client.post(
        "/api/v1/returns/",
        {"order_id": "o-1", "sku": "A", "quantity": 2, "returned_at": "2026-11-21T09:00:00Z"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.json()["quantity"] == [
        "Paling banyak 1 dari baris ini masih dapat dikembalikan."
    ]
