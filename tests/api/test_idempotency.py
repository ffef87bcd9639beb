"""v1.1: a POST repeated with the same Idempotency-Key (per API key, within 24 hours)
gets the first answer again; answers about a customer are stored sealed under their
data key; withdrawing `account` answers the erasure it starts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api import idempotency
from api.models import IdempotentReply
from customers.models import Customer, Purchase, PurchaseReturn
from disposal.models import ErasureRequest

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {
    "external_id": "shop-1",
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "consents": {"account": True},
}


def post(client, url, body, token="retry-1"):  # noqa: S107 (an Idempotency-Key)
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=token)


def test_a_repeated_create_gets_the_first_answer_again(client):
    first = post(client, "/api/v1/customers/", NEW)
    again = post(client, "/api/v1/customers/", NEW)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1
    # Without the header, the same body is a 409 naming the existing customer.
    assert client.post("/api/v1/customers/", NEW, format="json").status_code == 409


def test_the_stored_answer_holds_no_personal_data_in_clear(client):
    post(client, "/api/v1/customers/", NEW, token="secret-token")
    reply = IdempotentReply.objects.get()
    assert reply.body is None and reply.subject_id is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_idempotentreply")
        raw = repr(cursor.fetchall())
    for value in ("ada@example.com", "Ada Lovelace", "shop-1", "secret-token"):
        assert value not in raw
    assert "ada@example.com" in reply.sealed_body  # readable through the vault only


@pytest.mark.parametrize("kind", ["purchases", "returns", "products", "errors"])
def test_every_post_replays_its_first_answer(client, customer, make_product, kind):
    make_product(sku="A")
    line = {
        "customer": str(customer.pk),
        "order_id": "o-1",
        "sku": "A",
        "quantity": 2,
        "unit_price": "1.00",
        "purchased_at": "2026-11-20T10:00:00Z",
    }
    if kind == "returns":
        client.post("/api/v1/purchases/", line, format="json")
    url, body = {
        "purchases": ("/api/v1/purchases/", [line]),
        "returns": (
            "/api/v1/returns/",
            {"order_id": "o-1", "sku": "A", "quantity": 1, "returned_at": "2026-11-21T10:00Z"},
        ),
        "products": ("/api/v1/products/", {"sku": "B", "name": "B", "category": "x", "price": "1"}),
        "errors": ("/api/v1/purchases/", [{**line, "sku": "NOPE"}]),
    }[kind]
    first = post(client, url, body)
    again = post(client, url, body)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true"
    if kind == "returns":
        assert PurchaseReturn.objects.count() == 1  # not returned twice
    if kind == "purchases":
        assert first.json()["items"] == [{"index": 0, "status": "created"}]
        assert Purchase.objects.count() == 1


def test_the_same_key_for_another_request_is_a_422(client):
    post(client, "/api/v1/customers/", NEW)
    other = post(client, "/api/v1/customers/", {**NEW, "external_id": "shop-2"})
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert Customer.objects.count() == 1


def test_keys_are_per_api_key_and_expire_after_the_window(make_client, settings):
    first, second = make_client(name="a"), make_client(name="b")
    assert post(first, "/api/v1/customers/", NEW).status_code == 201
    # Another API key with the same token runs the request (and meets the 409).
    assert post(second, "/api/v1/customers/", NEW).status_code == 409
    IdempotentReply.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert post(first, "/api/v1/customers/", NEW).status_code == 409  # run again
    # The purge removes what is past the window (the second key's answer), not the new one.
    assert idempotency.purge() == 1
    assert list(IdempotentReply.objects.values_list("api_key", "status_code")) == [
        (first.api_key.pk, 409)
    ]


def test_a_server_error_is_not_stored_so_the_retry_runs(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("forced fault")

    monkeypatch.setattr("api.views.customers.services.create_customer", broken)
    client.raise_request_exception = False
    assert post(client, "/api/v1/customers/", NEW).status_code == 500
    monkeypatch.undo()
    assert not IdempotentReply.objects.exists()
    assert post(client, "/api/v1/customers/", NEW).status_code == 201


def test_a_bad_token_is_a_400(client):
    response = post(client, "/api/v1/customers/", NEW, token="x" * 256)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Customer.objects.exists()


def test_the_lookup_is_never_replayed(client, customer):
    body = {"external_id": customer.external_id}
    post(client, "/api/v1/customers/lookup/", body)
    assert "Idempotent-Replayed" not in post(client, "/api/v1/customers/lookup/", body)
    assert not IdempotentReply.objects.exists()


def test_erasing_the_customer_removes_their_stored_answers(
    client, django_capture_on_commit_callbacks
):
    created = post(client, "/api/v1/customers/", NEW, token="create").json()
    url = f"/api/v1/customers/{created['id']}/erasure/"
    with django_capture_on_commit_callbacks(execute=True):
        erasure = post(client, url, {}, token="erase")
    assert erasure.status_code == 202
    assert ErasureRequest.objects.get().status == "done"
    # The create's sealed answer went with the customer (a tombstone is left, v1.3);
    # the erasure's ids remain.
    assert sorted(IdempotentReply.objects.values_list("subject_id", "status_code")) == [
        (None, 202),
        (None, 410),
    ]
    replay = post(client, url, {}, token="erase")
    assert (replay.status_code, replay.json()) == (202, erasure.json())
    again = client.post(url)  # without a key: the finished request, never a 404
    assert again.status_code == 200 and again.json()["id"] == erasure.json()["id"]
    assert again.json()["status"] == "done"


def test_withdrawing_account_answers_the_erasure_it_starts(
    client, customer, django_capture_on_commit_callbacks
):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"purpose": "account", "granted": False}, format="json")
    assert response.status_code == 201
    erasure = ErasureRequest.objects.get()
    assert response.json()["erasure"]["id"] == str(erasure.pk)
    assert response["Location"] == f"/api/v1/erasure-requests/{erasure.pk}/"
    assert response.json()["account"]["granted"] is False
    assert client.get(response["Location"]).json()["status"] == "done"


def test_an_answer_naming_a_field_with_a_nul_byte_is_stored_and_replayed(client):
    body = {**NEW, "odd\u0000name": 1}
    first = post(client, "/api/v1/customers/", body, token="nul")
    again = post(client, "/api/v1/customers/", body, token="nul")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["odd\u0000name"] == ["Unknown field."]


def test_a_5xx_answer_keeps_nothing_of_what_the_request_wrote(client, customer, monkeypatch):
    """v1.3: no effect without its answer. The consent is written, then the answer
    cannot be rendered (a vault fault, 503): the retry must not record it twice."""
    from consent.models import ConsentEvent
    from vault.exceptions import VaultError

    def broken(customer_id):
        raise VaultError("forced fault")

    monkeypatch.setattr("api.views.consents.render_consents", broken)
    url = f"/api/v1/customers/{customer.pk}/consents/"
    body = {"purpose": "analytics", "granted": True}
    assert post(client, url, body, token="vault").status_code == 503
    events = ConsentEvent.objects.filter(customer_id=customer.pk, purpose__code="analytics")
    assert not events.exists() and not IdempotentReply.objects.exists()
    monkeypatch.undo()
    assert post(client, url, body, token="vault").status_code == 201
    assert events.count() == 1
