"""v1.3, erasure reaches stored answers: every stored Idempotency-Key answer that names
a customer is linked to them and goes with their erasure; replaying its key answers 410
`{"detail"}` and does nothing (the creating POST never creates the person anew)."""

import pytest
from django.db import connection

from api.models import IdempotentReply
from customers.models import Customer
from disposal.models import ErasureRequest
from disposal.services import request_erasure

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {
    "external_id": "shop-1",
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "consents": {"account": True},
}


def post(client, url, body, token):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=token)


def erase(client, customer_id, capture) -> None:
    with capture(execute=True):
        assert client.post(f"/api/v1/customers/{customer_id}/erasure/").status_code == 202
    assert ErasureRequest.objects.get(subject_pseudonym__isnull=False).status == "done"


def stored_text() -> str:
    """Every stored answer and link, as the database holds them (a backup would)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_idempotentreply")
        replies = cursor.fetchall()
        cursor.execute("SELECT * FROM api_replysubject")
        return repr(replies) + repr(cursor.fetchall())


def assert_gone(response) -> None:
    assert response.status_code == 410
    assert set(response.json()) == {"detail"}
    assert response["Idempotent-Replayed"] == "true"


def test_replaying_the_creating_post_after_the_erasure_is_410_and_creates_nobody(
    client, django_capture_on_commit_callbacks
):
    created = post(client, "/api/v1/customers/", NEW, "create").json()
    erase(client, created["id"], django_capture_on_commit_callbacks)
    assert_gone(post(client, "/api/v1/customers/", NEW, "create"))
    assert not Customer.objects.exists()
    assert created["id"] not in stored_text()
    # The key stays spent whatever is sent with it; nothing is created.
    assert_gone(post(client, "/api/v1/customers/", {**NEW, "external_id": "x"}, "create"))
    assert not Customer.objects.exists()


def test_a_stored_409_naming_a_customer_goes_with_their_erasure(
    client, customer, django_capture_on_commit_callbacks
):
    body = {**NEW, "external_id": customer.external_id, "email": "other@example.com"}
    conflict = post(client, "/api/v1/customers/", body, "dup")
    assert conflict.status_code == 409 and conflict.json()["id"] == str(customer.pk)
    assert str(customer.pk) in stored_text()  # named until the erasure
    erase(client, customer.pk, django_capture_on_commit_callbacks)
    assert str(customer.pk) not in stored_text()
    replay = post(client, "/api/v1/customers/", body, "dup")
    assert_gone(replay)
    assert "Location" not in replay and str(customer.pk) not in replay.content.decode()
    assert not Customer.objects.exists()


def test_a_bulk_answer_goes_with_the_erasure_of_any_customer_it_names(
    client, django_capture_on_commit_callbacks
):
    people = [{**NEW, "external_id": f"shop-{n}", "email": f"p{n}@example.com"} for n in (1, 2)]
    first = post(client, "/api/v1/customers/", people, "bulk").json()
    ids = [item["id"] for item in first["items"]]
    stored = IdempotentReply.objects.get()  # ids and statuses: in clear, linked to both
    assert stored.subject_id is None and sorted(
        str(customer_id) for customer_id in stored.subjects.values_list("customer_id", flat=True)
    ) == sorted(ids)
    erase(client, ids[0], django_capture_on_commit_callbacks)
    assert_gone(post(client, "/api/v1/customers/", people, "bulk"))
    assert list(Customer.objects.values_list("pk", flat=True)).__len__() == 1
    assert not any(customer_id in stored_text() for customer_id in ids)


def test_a_replay_while_the_erasure_is_open_is_already_410(client, customer):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    body = {"purpose": "analytics", "granted": True}
    assert post(client, url, body, "consent").status_code == 201
    request_erasure(customer_id=customer.pk, source="api", actor="test")  # not run yet
    assert_gone(post(client, url, body, "consent"))


def test_answers_naming_no_customer_outlive_an_erasure(
    client, customer, make_product, django_capture_on_commit_callbacks
):
    product = post(
        client, "/api/v1/products/", {"sku": "A", "name": "A", "category": "x", "price": "1"}, "p"
    )
    erase(client, customer.pk, django_capture_on_commit_callbacks)
    replay = post(
        client, "/api/v1/products/", {"sku": "A", "name": "A", "category": "x", "price": "1"}, "p"
    )
    assert (replay.status_code, replay.json()) == (product.status_code, product.json())
    assert IdempotentReply.objects.filter(erased_at__isnull=True).count() == 1
