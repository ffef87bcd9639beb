import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from customers.models import Product, Purchase
from customers.services import PurchaseLine, record_purchases
from disposal.models import ErasureRequest, ErasureStatus
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")


def _line(customer, sku="BK-1", order_id="o-77", **overrides) -> dict:
    return {
        "customer": str(customer.pk),
        "order_id": order_id,
        "sku": sku,
        "quantity": 1,
        "unit_price": "12.50",
        "purchased_at": "2026-11-20T10:00:00Z",
        **overrides,
    }


def test_products_are_created_then_updated_by_sku(client):
    body = {"sku": "BK-1", "name": "Notes", "category": "books", "price": "12.50"}
    assert client.post("/api/v1/products/", body, format="json").status_code == 201
    again = client.post("/api/v1/products/", {**body, "price": "13.00"}, format="json")
    assert again.status_code == 200 and again.json()["price"] == "13.00"
    assert Product.objects.count() == 1
    bad = client.post("/api/v1/products/", {**body, "price": "-1"}, format="json")
    assert bad.status_code == 400 and "price" in bad.json()


def test_one_purchase_is_stored_and_resending_it_is_a_no_op(client, customer, make_product):
    make_product(sku="BK-1")
    first = client.post("/api/v1/purchases/", _line(customer), format="json")
    assert first.status_code == 201
    assert first.json() == {
        "created": 1,
        "duplicates": 0,
        "items": [{"index": 0, "status": "created"}],
    }
    again = client.post("/api/v1/purchases/", _line(customer), format="json")
    assert again.json() == {
        "created": 0,
        "duplicates": 1,
        "items": [{"index": 0, "status": "duplicate"}],
    }
    assert Purchase.objects.count() == 1


def test_a_batch_reports_each_lines_outcome_by_index(client, customer, make_product):
    for sku in ("A", "B", "C"):
        make_product(sku=sku)
    client.post("/api/v1/purchases/", _line(customer, "B"), format="json")
    batch = [_line(customer, sku) for sku in ("A", "B", "C")]
    body = client.post("/api/v1/purchases/", batch, format="json").json()
    assert (body["created"], body["duplicates"]) == (2, 1)
    assert body["items"] == [
        {"index": 0, "status": "created"},
        {"index": 1, "status": "duplicate"},
        {"index": 2, "status": "created"},
    ]


def test_a_line_repeating_an_earlier_one_in_the_request_is_refused_by_its_index(
    client, customer, make_product
):
    make_product(sku="A")
    make_product(sku="B")
    batch = [_line(customer, "A"), _line(customer, "B"), _line(customer, "A", quantity=2)]
    response = client.post("/api/v1/purchases/", batch, format="json")
    assert response.status_code == 400
    assert set(response.json()["items"]) == {"2"}
    assert "Line 0" in response.json()["items"]["2"]["order_id"][0]
    assert not Purchase.objects.exists()


def test_lines_name_the_customer_by_the_storefronts_id(client, make_customer, make_product):
    customer = make_customer(external_id="shop-9")
    make_product(sku="A")
    line = _line(customer, "A")
    del line["customer"]
    ok = client.post(
        "/api/v1/purchases/", {**line, "customer_external_id": "shop-9"}, format="json"
    )
    assert ok.status_code == 201
    assert Purchase.objects.get().customer_id == customer.pk
    unknown = client.post(
        "/api/v1/purchases/",
        [{**line, "order_id": "o-2", "customer_external_id": "nobody"}],
        format="json",
    )
    assert unknown.status_code == 400
    assert "customer_external_id" in unknown.json()["items"]["0"]
    both = client.post(
        "/api/v1/purchases/",
        {**line, "order_id": "o-3", "customer": str(customer.pk), "customer_external_id": "x"},
        format="json",
    )
    neither = client.post("/api/v1/purchases/", {**line, "order_id": "o-4"}, format="json")
    for response in (both, neither):
        assert response.status_code == 400 and "customer" in response.json()["items"]["0"]
    assert Purchase.objects.count() == 1


def test_a_batch_with_bad_lines_names_each_index_and_stores_nothing(client, customer, product):
    batch = [
        _line(customer, product.sku, "o-1"),
        _line(customer, "NOPE", "o-2"),
        _line(customer, product.sku, "o-3", quantity=0),
        "not an object",
        {**_line(customer, product.sku, "o-5"), "customer": "6b1d1f7e-8d4c-4a43-9d5e-2b8e0b4f9c11"},
    ]
    response = client.post("/api/v1/purchases/", batch, format="json")
    assert response.status_code == 400
    items = response.json()["items"]
    assert set(items) == {"2", "3", "1", "4"}
    assert "sku" in items["1"] and "quantity" in items["2"] and "customer" in items["4"]
    assert not Purchase.objects.exists()


def test_empty_and_oversized_batches_are_refused(client, customer, product):
    assert client.post("/api/v1/purchases/", [], format="json").status_code == 400
    too_many = [_line(customer, product.sku, f"o-{n}") for n in range(1001)]
    response = client.post("/api/v1/purchases/", too_many, format="json")
    assert response.status_code == 400 and "1000" in response.json()["detail"]


def test_a_batch_of_1000_is_stored_with_a_bounded_number_of_queries(
    client, customer, product, django_assert_max_num_queries
):
    batch = [_line(customer, product.sku, f"o-{n}") for n in range(1000)]
    with django_assert_max_num_queries(25):
        response = client.post("/api/v1/purchases/", batch, format="json")
    assert response.json()["created"] == 1000 and len(response.json()["items"]) == 1000


@pytest.mark.django_db(databases="__all__", transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_concurrent_identical_batches_store_each_line_once(
    reference_data, make_customer, make_product
):
    customer, product = make_customer(), make_product(sku="BK-1")
    lines = [
        PurchaseLine(
            customer_id=customer.pk,
            order_id=f"o-{n}",
            sku=product.sku,
            quantity=1,
            unit_price=Decimal("12.50"),
            purchased_at=customer.created_at,
        )
        for n in range(200)
    ]
    results, barrier = [], threading.Barrier(2)

    def send():
        barrier.wait()
        try:
            results.append(record_purchases(lines=lines, actor="system"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((r.created, r.duplicates) for r in results) == [(0, 200), (200, 0)]
    assert Purchase.objects.count() == 200


def test_a_line_for_a_customer_whose_erasure_has_started_is_refused_by_its_index(
    client, make_customer, make_product
):
    """The live-customer rule for a whole batch: a pending or failed erasure (waiting for
    an operator) makes the customer unknown to purchases, as a missing one is."""
    make_product(sku="BK-1")
    live, pending, failed = make_customer(), make_customer(), make_customer()
    for customer, status in ((pending, ErasureStatus.PENDING), (failed, ErasureStatus.FAILED)):
        ErasureRequest.objects.create(
            subject_id=customer.pk,
            subject_pseudonym=subject_pseudonym(customer.pk),
            status=status,
            source="staff",
            requested_by="staff:1",
            due_by=timezone.localdate(),
        )
    batch = [
        _line(live, order_id="o-1"),
        _line(pending, order_id="o-2"),
        _line(live, order_id="o-3"),
        _line(failed, order_id="o-4"),
    ]
    response = client.post("/api/v1/purchases/", batch, format="json")
    assert response.status_code == 400
    assert response.json()["items"] == {
        "1": {"customer": ["No customer with this id."]},
        "3": {"customer": ["No customer with this id."]},
    }
    assert not Purchase.objects.exists()


def test_each_customer_of_a_batch_gets_one_audit_event_counting_its_new_lines(
    client, make_customer, make_product
):
    make_product(sku="BK-1"), make_product(sku="BK-2")
    one, two = make_customer(), make_customer()
    first = client.post("/api/v1/purchases/", _line(one, order_id="o-1"), format="json")
    assert first.json()["created"] == 1
    batch = [
        _line(one, order_id="o-1"),  # a duplicate: no new line, no event for it
        _line(one, sku="BK-2", order_id="o-1"),
        _line(two, order_id="o-2"),
        _line(two, sku="BK-2", order_id="o-2"),
    ]
    assert client.post("/api/v1/purchases/", batch, format="json").status_code == 201
    events = AuditEvent.objects.filter(action=AuditAction.PURCHASES_RECORDED).order_by("id")
    assert [(event.subject_id, event.metadata) for event in events] == [
        (one.pk, {"lines": 1}),
        (one.pk, {"lines": 1}),
        (two.pk, {"lines": 2}),
    ]
