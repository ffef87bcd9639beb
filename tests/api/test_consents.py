import pytest

from consent.models import ConsentEvent

pytestmark = pytest.mark.django_db(databases="__all__")


def test_consents_are_read_per_purpose_with_notice_version(client, customer):
    body = client.get(f"/api/v1/customers/{customer.pk}/consents/").json()
    assert body["account"]["granted"] is True
    assert body["account"]["notice_version"] == "1"
    assert body["marketing_post"] == {"granted": False, "notice_version": None, "updated_at": None}


def test_changing_a_consent_returns_the_new_state_and_keeps_the_ledger(client, customer):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    response = client.post(url, {"purpose": "personalization", "granted": False}, format="json")
    assert response.status_code == 201
    assert response.json()["personalization"]["granted"] is False
    granted = ConsentEvent.objects.filter(customer=customer, purpose="personalization")
    assert list(granted.order_by("id").values_list("granted", flat=True)) == [True, False]


def test_an_unknown_purpose_or_customer_is_refused(client, customer):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    response = client.post(url, {"purpose": "telepathy", "granted": True}, format="json")
    assert response.status_code == 400 and "consents" in response.json()
    assert client.post(url, {"purpose": "analytics"}, format="json").status_code == 400
    missing = "/api/v1/customers/6b1d1f7e-8d4c-4a43-9d5e-2b8e0b4f9c11/consents/"
    assert client.get(missing).status_code == 404


def test_purposes_are_listed_with_their_current_notice(client):
    purposes = {item["code"]: item for item in client.get("/api/v1/purposes/").json()}
    assert purposes["account"]["lawful_basis"] == "contract"
    assert purposes["personalization"]["notice_version"] == "1"
    assert purposes["personalization"]["notice_text"]
