"""Issue 32, item 6 (v1.3): a purchase, return or interaction dated more than
API_MAX_CLOCK_SKEW ahead of the server's clock, or a return before its purchase, is a
400 naming the field (and the item index in a list); nothing of the request is stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Interaction, Purchase, PurchaseReturn

pytestmark = pytest.mark.django_db(databases="__all__")


def _at(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


def _line(customer, product, order_id="o-1", when=None) -> dict:
    return {
        "customer": str(customer.pk),
        "order_id": order_id,
        "sku": product.sku,
        "quantity": 2,
        "unit_price": "1.00",
        "purchased_at": when or "2026-11-20T10:00:00Z",
    }


def test_a_purchase_dated_2999_is_refused_naming_the_field(client, customer, product):
    response = client.post(
        "/api/v1/purchases/", _line(customer, product, when="2999-01-01T00:00:00Z"), format="json"
    )
    assert response.status_code == 400
    assert "purchased_at" in response.json()["items"]["0"]
    assert not Purchase.objects.exists()


def test_a_future_line_in_a_list_is_named_by_its_index_and_nothing_is_stored(
    client, customer, product
):
    lines = [
        _line(customer, product, "o-1"),
        _line(customer, product, "o-2", when=_at(timedelta(hours=2))),
    ]
    response = client.post("/api/v1/purchases/", lines, format="json")
    assert response.status_code == 400
    assert list(response.json()["items"]) == ["1"]
    assert "purchased_at" in response.json()["items"]["1"]
    assert not Purchase.objects.exists()


def test_a_clock_a_little_ahead_is_allowed_and_the_skew_is_a_setting(
    client, customer, product, settings
):
    line = _line(customer, product, "o-1", when=_at(timedelta(minutes=50)))
    assert client.post("/api/v1/purchases/", line, format="json").status_code == 201
    settings.API_MAX_CLOCK_SKEW = 60
    line = _line(customer, product, "o-2", when=_at(timedelta(minutes=5)))
    response = client.post("/api/v1/purchases/", line, format="json")
    assert response.status_code == 400 and "purchased_at" in response.json()["items"]["0"]


def _bought(client, customer, product):
    assert (
        client.post("/api/v1/purchases/", _line(customer, product), format="json").status_code
        == 201
    )


def test_a_return_before_its_purchase_is_refused(client, customer, product):
    _bought(client, customer, product)
    body = {"order_id": "o-1", "sku": product.sku, "quantity": 1}
    early = client.post(
        "/api/v1/returns/", {**body, "returned_at": "2026-11-19T10:00:00Z"}, format="json"
    )
    assert early.status_code == 400 and list(early.json()) == ["returned_at"]
    future = client.post(
        "/api/v1/returns/", {**body, "returned_at": "2999-01-01T00:00:00Z"}, format="json"
    )
    assert future.status_code == 400 and list(future.json()) == ["returned_at"]
    assert not PurchaseReturn.objects.exists()
    later = client.post(
        "/api/v1/returns/", {**body, "returned_at": "2026-11-21T10:00:00Z"}, format="json"
    )
    assert later.status_code == 201


def test_an_interaction_years_ahead_is_refused(client, customer):
    body = {"channel": "email", "kind": "delivery", "note": "Asked about delivery."}
    url = f"/api/v1/customers/{customer.pk}/interactions/"
    ahead = client.post(url, {**body, "occurred_at": _at(timedelta(days=3 * 365))}, format="json")
    assert ahead.status_code == 400 and list(ahead.json()) == ["occurred_at"]
    assert not Interaction.objects.exists()
    assert (
        client.post(url, {**body, "occurred_at": _at(timedelta(0))}, format="json").status_code
        == 201
    )
