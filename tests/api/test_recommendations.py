import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from customers.services import PurchaseLine, record_purchases
from recommendations.models import ShownRecommendation
from recommendations.services import build_model
from vault import registry
from vault.services import destroy_key

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("no_min_support"),
]
_orders = itertools.count()


def buy(customer, *products):
    number = next(_orders)
    record_purchases(
        lines=[
            PurchaseLine(
                customer_id=customer.pk, order_id=f"api-order-{number}", sku=product.sku,
                quantity=1, unit_price=Decimal("1.00"),
                purchased_at=timezone.now() - timedelta(days=100 - number % 100),
            )
            for product in products
        ],
        actor="system",
    )  # fmt: skip


@pytest.fixture
def shopper(make_customer, make_product):
    a, b, c = (make_product(sku=sku) for sku in ("A-1", "B-2", "C-3"))
    for _ in range(3):
        buy(make_customer(), a, b)
    buy(make_customer(), a, c)
    customer = make_customer()
    buy(customer, a)
    build_model()
    return customer


def test_a_customer_gets_personal_recommendations_with_because(client, shopper):
    response = client.get(f"/api/v1/customers/{shopper.pk}/recommendations/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"personalized", "results"} and body["personalized"] is True
    assert [item["sku"] for item in body["results"]] == ["B-2", "C-3"]
    assert all(set(item) == {"sku", "score", "because", "reason"} for item in body["results"])
    assert body["results"][0]["because"] == ["A-1"]
    assert body["results"][0]["reason"] == "bought_together"
    assert body["results"][0]["score"] > body["results"][1]["score"] > 0


def test_popular_items_say_so_in_their_reason(client, shopper, make_customer):
    newcomer = make_customer(consents={"account": True})
    response = client.get(f"/api/v1/customers/{newcomer.pk}/recommendations/")
    body = response.json()
    assert body["personalized"] is False and body["results"]
    assert {(item["reason"], tuple(item["because"])) for item in body["results"]} == {
        ("popular", ())
    }


def test_the_read_is_audited_and_what_was_shown_is_kept_for_export(client, shopper):
    client.get(f"/api/v1/customers/{shopper.pk}/recommendations/?limit=1")
    event = AuditEvent.objects.get(action=AuditAction.RECOMMENDATIONS_VIEWED)
    assert event.subject_id == shopper.pk and event.actor == client.api_key.actor
    assert event.metadata == {}
    shown = ShownRecommendation.objects.get(customer=shopper)
    assert shown.skus == ["B-2"] and shown.personalized
    entry = registry.entry_for(ShownRecommendation)
    assert entry.category == "recommendations" and entry.erasure == registry.Erasure.DELETE
    assert list(entry.rows_of(shopper.pk)) == [shown]


def test_also_bought_lists_products_bought_together(client, shopper):
    response = client.get("/api/v1/products/A-1/also-bought/?limit=1")
    assert response.status_code == 200
    assert response.json() == {"results": [{"sku": "B-2", "score": pytest.approx(
        response.json()["results"][0]["score"])}]}  # fmt: skip
    assert response.json()["results"][0]["score"] > 0


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_a_bad_limit_is_a_400_naming_the_field(client, shopper, limit):
    for path in (
        f"/api/v1/customers/{shopper.pk}/recommendations/",
        "/api/v1/products/A-1/also-bought/",
    ):
        response = client.get(path, {"limit": limit})
        assert response.status_code == 400
        assert list(response.json()) == ["limit"]


def test_unknown_customers_products_and_erased_customers_are_404s(client, shopper):
    assert client.get("/api/v1/customers/nope/recommendations/").status_code == 404
    assert (
        client.get("/api/v1/customers/00000000-0000-0000-0000-000000000000/recommendations/")
    ).status_code == 404
    assert client.get("/api/v1/products/NOPE/also-bought/").status_code == 404
    destroy_key(subject_id=shopper.pk)
    assert client.get(f"/api/v1/customers/{shopper.pk}/recommendations/").status_code == 404


def test_a_key_without_the_recommendations_scope_is_refused(make_client, shopper):
    client = make_client(scopes=["customers"])
    assert client.get(f"/api/v1/customers/{shopper.pk}/recommendations/").status_code == 403
    assert client.get("/api/v1/products/A-1/also-bought/").status_code == 403
    assert not ShownRecommendation.objects.exists()
