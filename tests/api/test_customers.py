import pytest

from audit.models import AuditEvent
from customers.models import Customer
from vault.services import destroy_key

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {
    "external_id": "shop-123",
    "email": "Ada@Example.com",
    "full_name": "Ada Lovelace",
    "phone": "+44 20 7946 0000",
    "consents": {"account": True, "personalization": True, "marketing_email": False},
}


def test_a_storefront_creates_a_customer_and_gets_the_representation(client):
    response = client.post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"/api/v1/customers/{body['id']}/"
    assert body["email"] == "ada@example.com"
    assert body["phone"] == "+442079460000"
    assert body["consents"] == {"account": True, "personalization": True, "marketing_email": False}
    assert set(body) == {
        "id", "external_id", "email", "full_name", "phone", "postal_address", "consents",
        "created_at", "updated_at",
    }  # fmt: skip


def test_a_customer_without_account_consent_is_refused_and_not_stored(client):
    response = client.post(
        "/api/v1/customers/", {**NEW, "consents": {"account": False}}, format="json"
    )
    assert response.status_code == 400
    assert "account consent" in response.json()["consents"][0]
    assert not Customer.objects.exists()


def test_invalid_fields_get_field_messages(client):
    response = client.post(
        "/api/v1/customers/", {**NEW, "email": "nope", "phone": "12"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "phone"}
    response = client.post("/api/v1/customers/", {"consents": "all"}, format="json")
    assert response.status_code == 400
    assert {"external_id", "email", "consents"} <= set(response.json())


def test_malformed_json_is_a_400_not_a_500(client):
    response = client.generic(
        "POST", "/api/v1/customers/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_duplicate_email_or_external_id_is_a_409(client):
    client.post("/api/v1/customers/", NEW, format="json")
    again = client.post("/api/v1/customers/", {**NEW, "external_id": "other"}, format="json")
    assert again.status_code == 409
    assert "email" in again.json()
    again = client.post("/api/v1/customers/", {**NEW, "email": "b@example.com"}, format="json")
    assert again.status_code == 409
    assert "external_id" in again.json()


def test_exact_lookup_by_email_or_external_id_returns_a_paginated_list(client):
    created = client.post("/api/v1/customers/", NEW, format="json").json()
    by_email = client.get("/api/v1/customers/", {"email": "ADA@example.com"}).json()
    assert by_email["count"] == 1 and by_email["results"][0]["id"] == created["id"]
    assert set(by_email) == {"count", "next", "previous", "results"}
    by_external = client.get("/api/v1/customers/", {"external_id": "shop-123"}).json()
    assert by_external["results"][0]["id"] == created["id"]
    assert client.get("/api/v1/customers/", {"email": "x@example.com"}).json()["count"] == 0
    assert client.get("/api/v1/customers/").status_code == 400


def test_reading_a_customer_is_audited_under_the_key_without_personal_data(client):
    created = client.post("/api/v1/customers/", NEW, format="json").json()
    response = client.get(f"/api/v1/customers/{created['id']}/")
    assert response.status_code == 200 and response.json()["full_name"] == "Ada Lovelace"
    events = AuditEvent.objects.filter(action="customer.viewed", subject_id=created["id"])
    assert events.count() == 2  # the create's answer and the read
    for event in events:
        assert event.actor == f"api-key:{client.api_key.prefix}"
        assert "lovelace" not in str(vars(event)).lower()


def test_unknown_or_malformed_ids_are_404(client):
    assert client.get("/api/v1/customers/6b1d1f7e-8d4c-4a43-9d5e-2b8e0b4f9c11/").status_code == 404
    assert client.get("/api/v1/customers/not-a-uuid/").status_code == 404


def test_patch_corrects_the_profile_and_refuses_fixed_or_bad_fields(client):
    created = client.post("/api/v1/customers/", NEW, format="json").json()
    url = f"/api/v1/customers/{created['id']}/"
    response = client.patch(url, {"full_name": "Augusta Ada King", "phone": None}, format="json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Augusta Ada King" and response.json()["phone"] is None
    assert client.patch(url, {"external_id": "x"}, format="json").status_code == 400
    bad = client.patch(url, {"email": "broken"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    assert Customer.objects.get().email == "ada@example.com"


def test_an_erased_customer_is_404(client):
    created = client.post("/api/v1/customers/", NEW, format="json").json()
    destroy_key(subject_id=created["id"])
    assert client.get(f"/api/v1/customers/{created['id']}/").status_code == 404
