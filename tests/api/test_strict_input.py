"""v1.1 strict input: unknown fields are 400s naming them on every write endpoint,
consent values are JSON booleans only, timestamps carry a time zone; a retried create
gets the existing customer's id."""

import pytest

from consent.selectors import current_consents
from customers.models import Customer, Purchase

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {
    "external_id": "shop-1",
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "consents": {"account": True},
}


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None, "false"])
def test_consent_values_are_json_booleans_only(client, customer, value):
    create = client.post(
        "/api/v1/customers/", {**NEW, "consents": {"account": value}}, format="json"
    )
    assert create.status_code == 400 and "account" in create.json()["consents"]
    change = client.post(
        f"/api/v1/customers/{customer.pk}/consents/",
        {"purpose": "marketing_email", "granted": value},
        format="json",
    )
    assert change.status_code == 400 and "granted" in change.json()
    assert not Customer.objects.exclude(pk=customer.pk).exists()
    assert not current_consents(customer.pk)["marketing_email"].granted


def test_unknown_fields_are_named_on_every_write_endpoint(client, customer, product):
    cases = [
        ("/api/v1/customers/", {**NEW, "name": "Ada"}, {"name"}),
        ("/api/v1/customers/lookup/", {"email": "a@example.com", "mail": "x"}, {"mail"}),
        (
            f"/api/v1/customers/{customer.pk}/consents/",
            {"purpose": "marketing_email", "granted": True, "note": "x"},
            {"note"},
        ),
        (
            "/api/v1/products/",
            {"sku": "X", "name": "X", "category": "books", "price": "1.00", "name ": 1},
            {"name "},
        ),
        (f"/api/v1/customers/{customer.pk}/erasure/", {"reason": "x"}, {"reason"}),
    ]
    for url, body, expected in cases:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, url
        named = {name for name, errors in response.json().items() if errors == ["Unknown field."]}
        assert named == expected, url
    patch = client.patch(
        f"/api/v1/customers/{customer.pk}/", {"name": "Ada", "external_id": "x"}, format="json"
    )
    assert patch.json() == {
        "name": ["Unknown field."],
        "external_id": ["This field cannot be changed here."],
    }
    customer.refresh_from_db()
    assert customer.full_name != "Ada"
    line = {
        "customer": str(customer.pk),
        "order_id": "o-1",
        "sku": product.sku,
        "quantity": 1,
        "unit_price": "1.00",
        "purchased_at": "2026-11-20T10:00:00Z",
        "qty": 2,
    }
    purchase = client.post("/api/v1/purchases/", [line], format="json")
    assert purchase.json()["items"]["0"] == {"qty": ["Unknown field."]}
    assert not Purchase.objects.exists()


@pytest.mark.parametrize("when", ["2026-11-20T10:00:00", "2026-11-20 10:00", "2026-11-20"])
def test_timestamps_without_a_time_zone_are_refused(client, customer, product, when):
    line = {
        "customer": str(customer.pk),
        "order_id": "o-1",
        "sku": product.sku,
        "quantity": 1,
        "unit_price": "1.00",
        "purchased_at": when,
    }
    response = client.post("/api/v1/purchases/", line, format="json")
    assert response.status_code == 400
    assert "purchased_at" in response.json()["items"]["0"]
    assert not Purchase.objects.exists()


def test_a_timestamp_with_an_offset_is_kept_as_that_instant(client, customer, product):
    line = {
        "customer": str(customer.pk),
        "order_id": "o-1",
        "sku": product.sku,
        "quantity": 1,
        "unit_price": "1.00",
        "purchased_at": "2026-11-20T10:00:00+07:00",
    }
    assert client.post("/api/v1/purchases/", line, format="json").status_code == 201
    assert Purchase.objects.get().purchased_at.isoformat() == "2026-11-20T03:00:00+00:00"


def test_a_retried_create_gets_409_with_the_existing_id_and_location(client):
    first = client.post("/api/v1/customers/", NEW, format="json")
    again = client.post("/api/v1/customers/", NEW, format="json")
    assert again.status_code == 409
    body = again.json()
    assert body["id"] == first.json()["id"] and body["detail"]
    assert again["Location"] == first["Location"]
    assert "ada" not in again.content.decode().lower()
    # Another customer's email: 409 without naming that customer.
    other = client.post("/api/v1/customers/", {**NEW, "external_id": "shop-2"}, format="json")
    assert other.status_code == 409 and "id" not in other.json()
    assert "Location" not in other


def test_values_of_the_wrong_json_type_are_refused(client, customer, product):
    line = {
        "customer": str(customer.pk),
        "order_id": 77,
        "sku": product.sku,
        "quantity": "1",
        "unit_price": True,
        "purchased_at": "2026-11-20T10:00:00Z",
    }
    response = client.post("/api/v1/purchases/", line, format="json")
    assert set(response.json()["items"]["0"]) == {"order_id", "quantity", "unit_price"}
    product_body = {"sku": 0, "name": "X", "category": "books", "price": 12.5}
    refused = client.post("/api/v1/products/", product_body, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"sku"}
    # A price as a JSON number is a v1 habit that keeps working.
    accepted = client.post("/api/v1/products/", {**product_body, "sku": "X"}, format="json")
    assert accepted.status_code == 201 and accepted.json()["price"] == "12.50"
    assert not Purchase.objects.exists()


def test_unknown_query_parameters_are_named(client, customer):
    for url in (
        f"/api/v1/customers/{customer.pk}/?fields=email",
        f"/api/v1/customers/{customer.pk}/recommendations/?limit=5&personal=1",
        "/api/v1/customers/?external_id=shop-1&page=1&sort=name",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert list(response.json().values()) == [["Unknown query parameter."]], url
    assert client.get("/api/v1/customers/?external_id=shop-1&page=1").status_code == 200
    for page in ("", "0", "x", "٣"):
        bad = client.get(f"/api/v1/customers/?external_id=shop-1&page={page}")
        assert bad.status_code == 400 and "page" in bad.json(), page
