"""Privacy endpoints: export, erasure request, erasure status with certificate."""

import uuid

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db(databases="__all__")


def test_export_returns_everything_held_and_is_audited(client, customer):
    response = client.get(f"/api/v1/customers/{customer.pk}/export/")
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "custodian.export/1" and body["customer_id"] == str(customer.pk)
    assert body["categories"]["profile"]["records"]["customers.customer"][0]["email"] == (
        customer.email
    )
    assert {"consent", "purchases", "interactions", "access_log"} <= set(body["categories"])
    event = AuditEvent.objects.get(subject_id=customer.pk, action="customer.exported")
    assert event.actor == client.api_key.actor


@pytest.mark.parametrize(
    "path",
    ["/api/v1/customers/{id}/export/", "/api/v1/customers/{id}/erasure/"],
)
def test_privacy_endpoints_need_the_privacy_scope(make_client, customer, path):
    client = make_client(scopes=["customers"])
    url = path.format(id=customer.pk)
    response = client.get(url) if url.endswith("export/") else client.post(url)
    assert response.status_code == 403


@pytest.mark.parametrize("customer_id", [uuid.uuid4(), "not-a-uuid"])
def test_unknown_customers_are_404(client, customer_id):
    assert client.get(f"/api/v1/customers/{customer_id}/export/").status_code == 404
    assert client.post(f"/api/v1/customers/{customer_id}/erasure/").status_code == 404


def test_an_erasure_is_accepted_followed_and_certified_then_the_customer_is_gone(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(f"/api/v1/customers/{customer.pk}/erasure/")
    assert accepted.status_code == 202
    assert set(accepted.json()) == {"id", "status"} and accepted.json()["status"] == "pending"
    status_url = accepted["Location"]
    assert status_url == f"/api/v1/erasure-requests/{accepted.json()['id']}/"

    status = client.get(status_url).json()
    assert set(status) == {"id", "status", "requested_at", "completed_at", "certificate"}
    assert status["status"] == "done" and status["completed_at"]
    certificate = status["certificate"]
    assert certificate["rows_removed"]["profile"] == 1
    assert certificate["method"]["profile"] == "deleted"
    assert certificate["key_destroyed_at"] and certificate["backup_horizon"]
    assert str(customer.pk) not in str(certificate)

    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404
    assert client.get(f"/api/v1/customers/{customer.pk}/export/").status_code == 404


def test_a_pending_erasure_has_no_certificate_and_asking_again_returns_it(client, customer):
    first = client.post(f"/api/v1/customers/{customer.pk}/erasure/").json()
    second = client.post(f"/api/v1/customers/{customer.pk}/erasure/").json()
    assert first["id"] == second["id"]
    status = client.get(f"/api/v1/erasure-requests/{first['id']}/").json()
    assert status["status"] == "pending" and status["certificate"] is None


@pytest.mark.parametrize("request_id", [uuid.uuid4(), "nope"])
def test_an_unknown_erasure_request_is_404(client, request_id):
    assert client.get(f"/api/v1/erasure-requests/{request_id}/").status_code == 404


def test_withdrawing_account_consent_through_the_api_erases(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/customers/{customer.pk}/consents/",
            {"purpose": "account", "granted": False},
            format="json",
        )
    assert response.status_code == 201
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404
