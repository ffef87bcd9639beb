"""Disclosures and processors over the API (scope `privacy`): a disclosure is recorded
only under an agreement in force that covers its categories, and an erasure of an
API-created customer then reaches the processor by signed webhook."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from disposal.models import DeliveryStatus, Disclosure, Processor, WebhookDelivery
from disposal.processors import save_processor
from tests.disposal import test_processors as hooks

pytestmark = pytest.mark.django_db(databases="__all__")
SECRET = hooks.SECRET
receiver = hooks.receiver  # the processor's test endpoint (a fixture)


def make_processor(name="Mailer Ltd", url="https://processor.example/hooks", **changes):
    fields = {
        "agreement_reference": "DPA-2026-07",
        "agreement_signed_on": date(2026, 1, 1),
        "categories": ["profile", "purchases"],
        **changes,
    }
    return save_processor(
        processor=Processor(name=name, webhook_url=url, **fields),
        webhook_secret=SECRET,
    )


def disclose(client, customer_id, body):
    return client.post(f"/api/v1/customers/{customer_id}/disclosures/", body, format="json")


def test_processors_are_listed_with_their_categories(client):
    make_processor()
    make_processor(name="Old Post", active=False, categories=["profile"])
    body = client.get("/api/v1/processors/").json()
    assert body["count"] == 2
    mailer, old = body["results"]
    assert mailer == {
        "slug": "mailer-ltd", "name": "Mailer Ltd", "categories": ["profile", "purchases"],
        "agreement_reference": "DPA-2026-07", "agreement_signed_on": "2026-01-01",
        "agreement_ends_on": None, "active": True, "in_force": True,
    }  # fmt: skip
    assert old["slug"] == "old-post" and old["in_force"] is False
    assert "webhook_url" not in mailer and "webhook_secret" not in mailer


def test_a_disclosure_under_the_agreement_is_recorded_and_audited(client, customer):
    make_processor()
    response = disclose(client, customer.pk, {"processor": "mailer-ltd", "categories": ["profile"]})
    assert response.status_code == 201
    body = response.json()
    assert body["processor"] == "mailer-ltd" and body["categories"] == ["profile"]
    stored = Disclosure.objects.get(pk=body["id"])
    assert stored.customer_id == customer.pk
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSED)
    assert event.subject_id == customer.pk and event.actor == client.api_key.actor


@pytest.mark.parametrize(
    ("fields", "body", "field", "message"),
    [
        ({}, {"processor": "mailer-ltd", "categories": ["interactions"]}, "processor",
         "does not cover: interactions"),
        ({"active": False}, {"processor": "mailer-ltd", "categories": ["profile"]}, "processor",
         "not active"),
        ({"agreement_ends_on": date(2026, 2, 1)},
         {"processor": "mailer-ltd", "categories": ["profile"]}, "processor", "has ended"),
        ({"agreement_signed_on": timezone.localdate() + timedelta(days=9)},
         {"processor": "mailer-ltd", "categories": ["profile"]}, "processor", "not in force"),
        ({}, {"processor": "nobody", "categories": ["profile"]}, "processor", "No processor"),
        ({}, {"processor": "mailer-ltd", "categories": ["horoscopes"]}, "categories",
         "Unknown data category"),
        ({}, {"processor": "mailer-ltd", "categories": []}, "categories", ""),
        ({}, {"processor": "mailer-ltd", "categories": ["profile"], "note": "x"}, "note", ""),
    ],
)  # fmt: skip
def test_a_disclosure_without_an_agreement_covering_it_is_refused(
    client, customer, fields, body, field, message
):
    make_processor(**fields)
    response = disclose(client, customer.pk, body)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Disclosure.objects.exists()


def test_disclosures_need_the_privacy_scope_and_a_live_customer(make_client, customer):
    make_processor()
    body = {"processor": "mailer-ltd", "categories": ["profile"]}
    assert disclose(make_client(scopes=["customers"]), customer.pk, body).status_code == 403
    assert make_client(scopes=["customers"]).get("/api/v1/processors/").status_code == 403
    assert disclose(make_client(), "nope", body).status_code == 404


def test_erasing_an_api_created_customer_notifies_the_processor_it_was_disclosed_to(
    client,
    receiver,
    django_capture_on_commit_callbacks,
):
    server, url = receiver
    make_processor(url=url)
    make_processor(name="Unused Co", url=url)
    created = client.post(
        "/api/v1/customers/",
        {"external_id": "shop-1", "email": "hook@example.com", "consents": {"account": True}},
        format="json",
    ).json()
    assert (
        disclose(
            client, created["id"], {"processor": "mailer-ltd", "categories": ["profile"]}
        ).status_code
        == 201
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/customers/{created['id']}/erasure/").status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert delivery.processor.slug == "mailer-ltd"
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [call["body"]["customer_id"] for call in server.received] == [created["id"]]
    assert all(call["valid"] for call in server.received)
