import pytest
from django.core import mail

from audit.models import AuditEvent
from leads.models import Lead, LeadConsent

pytestmark = pytest.mark.django_db(databases="__all__")

URL = "/api/v1/leads/"


def _create(client, **overrides):
    body = {
        "email": "api.lead@example.org",
        "full_name": "Api Lead",
        "source": "shop-newsletter",
        "consents": {"marketing_post": True, "analytics": False},
        **overrides,
    }
    return client.post(URL, body, format="json")


def test_create_read_and_update_a_lead(client):
    response = _create(client)
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "api.lead@example.org" and body["status"] == "new"
    assert [c["purpose"] for c in body["consents"]] == ["marketing_post"]
    assert body["consents"][0]["channel"] == client.api_key.prefix
    assert response["Location"] == f"{URL}{body['id']}/"
    read = client.get(f"{URL}{body['id']}/")
    assert read.status_code == 200 and read.json()["full_name"] == "Api Lead"
    patched = client.patch(
        f"{URL}{body['id']}/", {"company": "Acme", "status": "qualified"}, format="json"
    )
    assert patched.status_code == 200
    assert (patched.json()["company"], patched.json()["status"]) == ("Acme", "qualified")
    assert AuditEvent.objects.filter(action="lead.viewed", subject_id=body["id"]).count() == 3


def test_no_consent_means_nothing_stored(client):
    response = _create(client, consents={"marketing_post": False})
    assert response.status_code == 400 and "consents" in response.json()
    assert Lead.objects.count() == 0


def test_the_same_address_again_is_merged(client):
    first = _create(client).json()
    again = _create(client, email="API.LEAD@example.org", consents={"analytics": True})
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert Lead.objects.count() == 1
    assert LeadConsent.objects.count() == 2


def test_marketing_email_is_pending_until_the_mailed_link(client):
    body = _create(client, consents={"marketing_email": True}).json()
    assert body["consents"] == [] and body["pending_confirmations"] == ["marketing_email"]
    assert len(mail.outbox) == 1 and "/forms/confirm/" in mail.outbox[0].body


def test_a_customer_address_is_a_conflict_and_no_lead(client, customer):
    response = _create(client, email=customer.email)
    assert response.status_code == 409
    assert Lead.objects.count() == 0


def test_the_leads_scope_is_required(make_client):
    client = make_client(scopes=["customers"])
    assert _create(client).status_code == 403
    assert Lead.objects.count() == 0


def test_unknown_fields_and_bad_ids_are_refused(client):
    assert _create(client, owner="me").status_code == 400
    assert client.get(f"{URL}not-a-uuid/").status_code == 404
    lead = _create(client).json()
    response = client.patch(f"{URL}{lead['id']}/", {"status": "converted"}, format="json")
    assert response.status_code == 400


def test_create_api_key_grants_the_leads_scope():
    import io

    from django.core.management import call_command

    from api.models import StorefrontKey

    call_command("create_api_key", "crm-forms", "--scopes", "leads", stdout=io.StringIO())
    key = StorefrontKey.objects.get(name="crm-forms")
    assert key.scopes == ["leads"] and key.allows("leads") and not key.allows("customers")
