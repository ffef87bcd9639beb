"""Bulk onboarding through POST /api/v1/customers/ with a list (issue 12)."""

import pytest
from django.test import override_settings

from audit.models import AuditAction, AuditEvent
from changes.models import Change
from consent.models import ConsentEvent, ConsentState
from customers.models import Customer
from customers.selectors import customer_by_email
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")


def person(number: int, **changes) -> dict:
    return {
        "external_id": f"shop-{number}",
        "email": f"person{number}@example.com",
        "full_name": f"Person {number}",
        "phone": "+44 20 7946 0000",
        "consents": {"account": True, "personalization": number % 2 == 0},
    } | changes


def post(client, items, query=""):
    return client.post(f"/api/v1/customers/{query}", items, format="json")


def test_a_list_creates_every_customer_with_keys_consents_audit_and_changes(client):
    response = post(client, [person(n) for n in range(3)])
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["duplicates"], body["invalid"]) == (3, 0, 0)
    assert [item["index"] for item in body["items"]] == [0, 1, 2]
    ids = [item["id"] for item in body["items"]]
    assert all(item["status"] == "created" for item in body["items"])
    assert body["items"][0]["location"] == f"/api/v1/customers/{ids[0]}/"
    # Each is a whole customer, readable through the API like a single create's.
    read = client.get(f"/api/v1/customers/{ids[2]}/").json()
    assert read["email"] == "person2@example.com"
    assert read["phone"] == "+442079460000"
    assert read["consents"] == {"account": True, "personalization": True}
    assert DataKey.objects.filter(subject_id__in=ids).count() == 3
    assert ConsentState.objects.filter(customer_id__in=ids).count() == 6
    assert set(Change.objects.filter(customer_id__in=ids).values_list("kind", flat=True)) == {
        "created"
    }
    created = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CREATED)
    assert sorted(created.values_list("subject_id", flat=True)) == sorted(
        Customer.objects.values_list("pk", flat=True)
    )
    # account for all three, personalization granted by 0 and 2, refused by 1
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_GRANTED).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN).count() == 1
    # The answer holds ids, statuses and messages only: no value sent.
    assert "example.com" not in response.content.decode()


def test_invalid_items_are_reported_by_index_and_the_valid_ones_stored(client):
    items = [
        person(0),
        person(1, email="not-an-email", phone="12"),
        "a string",
        person(3, consents={"account": False}),
        person(4, surname="Lovelace"),
        person(5, consents={"account": "yes"}),
    ]
    response = post(client, items)
    assert response.status_code == 207
    body = response.json()
    assert (body["created"], body["invalid"]) == (1, 5)
    by_index = {item["index"]: item for item in body["items"]}
    assert by_index[0]["status"] == "created"
    assert set(by_index[1]["errors"]) == {"email", "phone"}
    assert by_index[2]["errors"] == {"non_field_errors": ["Expected a JSON object."]}
    assert "account consent" in by_index[3]["errors"]["consents"][0]
    assert "surname" in by_index[4]["errors"]
    assert "consents" in by_index[5]["errors"]
    assert all(by_index[i]["status"] == "invalid" and "id" not in by_index[i] for i in range(1, 6))
    assert Customer.objects.count() == 1
    assert DataKey.objects.count() == 1


def test_duplicates_of_stored_customers_and_within_the_list_are_refused(client):
    stored = post(client, person(0)).json()
    items = [
        person(1, email="PERSON0@example.com"),  # a stored customer's email, other case
        person(0, email="new@example.com"),  # a stored customer's external id
        person(2),
        person(3, email="person2@example.com"),  # the same email as item 2
        person(2, email="other@example.com"),  # the same external id as item 2
    ]
    response = post(client, items)
    assert response.status_code == 207
    body = response.json()
    assert (body["created"], body["duplicates"], body["invalid"]) == (1, 4, 0)
    by_index = {item["index"]: item for item in body["items"]}
    assert by_index[0]["id"] == stored["id"] and "email" in by_index[0]["errors"]
    assert by_index[1]["id"] == stored["id"] and "external_id" in by_index[1]["errors"]
    assert by_index[1]["location"] == f"/api/v1/customers/{stored['id']}/"
    assert by_index[2]["status"] == "created"
    assert by_index[3]["errors"] == {"email": ["The same email as item 2 of this batch."]}
    assert by_index[4]["errors"] == {
        "external_id": ["The same external id as item 2 of this batch."]
    }
    assert "id" not in by_index[3]
    assert Customer.objects.count() == 2


def test_atomic_stores_nothing_when_one_item_is_refused(client):
    items = [person(0), person(1, email="nope"), person(2)]
    response = post(client, items, "?atomic=true")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Nothing was stored")
    assert [item["status"] for item in body["items"]] == ["not_stored", "invalid", "not_stored"]
    assert not Customer.objects.exists()
    assert not DataKey.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CREATED).exists()


def test_atomic_with_only_duplicates_is_a_409_and_atomic_success_stores_all(client):
    post(client, person(0))
    response = post(client, [person(0), person(1)], "?atomic=true")
    assert response.status_code == 409
    assert [item["status"] for item in response.json()["items"]] == ["duplicate", "not_stored"]
    assert Customer.objects.count() == 1
    response = post(client, [person(1), person(2)], "?atomic=true")
    assert response.status_code == 201
    assert Customer.objects.count() == 3


@override_settings(API_MAX_CUSTOMER_BATCH=3)
def test_list_limits_and_the_atomic_flag_are_checked(client):
    too_many = post(client, [person(n) for n in range(4)])
    assert too_many.status_code == 400
    assert too_many.json() == {"detail": "Send at most 3 customers per request."}
    assert post(client, []).json() == {"detail": "Send at least one customer."}
    assert post(client, [person(0)], "?atomic=yes").json() == {"atomic": ["true or false."]}
    assert post(client, person(0), "?atomic=true").status_code == 400
    assert client.get("/api/v1/customers/?atomic=true").status_code == 400
    assert not Customer.objects.exists()


def test_the_default_limit_is_500(client, settings):
    assert settings.API_MAX_CUSTOMER_BATCH == 500


def test_a_retried_list_with_the_same_idempotency_key_gets_the_first_answer(client):
    items = [person(0), person(1)]
    first = client.post(
        "/api/v1/customers/", items, format="json", HTTP_IDEMPOTENCY_KEY="onboard-1"
    )
    again = client.post(
        "/api/v1/customers/", items, format="json", HTTP_IDEMPOTENCY_KEY="onboard-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 2


def test_a_list_needs_the_customers_scope(make_client):
    client = make_client(scopes=["purchases"])
    assert post(client, [person(0)]).status_code == 403
    assert not Customer.objects.exists()


def test_bulk_created_customers_are_found_by_their_blind_indexes(client):
    post(client, [person(0), person(1)])
    found = customer_by_email("PERSON1@example.com")
    assert found is not None and found.external_id == "shop-1"


def test_a_list_of_which_nothing_was_stored_is_a_4xx_with_the_results(client):
    post(client, person(0))
    invalid = post(client, [person(1, email="nope"), person(0)])
    assert invalid.status_code == 400
    assert invalid.json()["detail"].startswith("Nothing was stored")
    assert [item["status"] for item in invalid.json()["items"]] == ["invalid", "duplicate"]
    duplicates = post(client, [person(0)])
    assert duplicates.status_code == 409
    assert duplicates.json()["items"][0]["status"] == "duplicate"
    assert Customer.objects.count() == 1
