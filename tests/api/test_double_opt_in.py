"""Issue 32, item 2 (contract v1.3): a grant of a CONSENT_DOUBLE_OPT_IN purpose through
the API waits for the customer to follow a link mailed through the outbox (202, or
`pending_confirmations` on create), unless the storefront sends the evidence of its own
confirmed opt-in, which the ledger keeps as vouched for. Withdrawals act at once."""

import re

import pytest
from django.core import mail
from django.test import Client

from audit.models import AuditAction, AuditEvent
from consent.models import ConsentEvent
from consent.selectors import current_consents
from customers.models import Customer
from outbox.models import Job

pytestmark = pytest.mark.django_db(databases="__all__")

EVIDENCE = {"confirmed_at": "2026-11-20T10:00:00Z", "method": "email_link"}
NEW = {
    "external_id": "shop-1",
    "email": "ada@example.org",
    "full_name": "Ada Lovelace",
    "consents": {"account": True, "marketing_email": True},
}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the request hands over on commit (the outbox job that mails the link)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def _grant(client, customer, confirmation=None, **headers):
    body = {"purpose": "marketing_email", "granted": True}
    if confirmation is not None:
        body["confirmation"] = confirmation
    return client.post(f"/api/v1/customers/{customer.pk}/consents/", body, format="json", **headers)


def _link(message) -> str:
    return re.search(r"https?://\S+/portal/consents/confirm/\S+/", message.body).group(0)


def _marketing_events(customer_id):
    return ConsentEvent.objects.filter(customer_id=customer_id, purpose_id="marketing_email")


def test_a_grant_through_the_consents_endpoint_waits_for_the_mailed_link(
    client, customer, committed
):
    response = committed(lambda: _grant(client, customer))
    assert response.status_code == 202
    assert response.json() == {
        "purpose": "marketing_email",
        "granted": False,
        "pending_confirmation": True,
    }
    assert not current_consents(customer.pk)["marketing_email"].granted
    assert not _marketing_events(customer.pk).exists()
    assert Job.objects.filter(task="consent.tasks.mail_confirmation").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [customer.email]

    page = Client()
    link = _link(mail.outbox[0])
    path = link[link.index("/portal/") :]
    assert page.get(path).status_code == 200
    assert page.post(path).status_code == 200
    assert current_consents(customer.pk)["marketing_email"].granted
    event = _marketing_events(customer.pk).get()
    assert (event.confirmation_method, event.vouched) == ("email_link", False)
    assert event.confirmed_at is not None


def test_a_repeated_grant_while_the_link_waits_mails_nothing_more(client, customer, committed):
    assert committed(lambda: _grant(client, customer)).status_code == 202
    assert committed(lambda: _grant(client, customer)).status_code == 202
    assert len(mail.outbox) == 1


def test_a_storefront_that_ran_its_own_opt_in_sends_the_evidence(client, customer, committed):
    response = committed(lambda: _grant(client, customer, confirmation=EVIDENCE))
    assert response.status_code == 201
    assert response.json()["marketing_email"]["granted"] is True
    assert mail.outbox == []
    event = _marketing_events(customer.pk).get()
    assert event.granted and event.vouched and event.confirmation_method == "email_link"
    assert event.confirmed_at.isoformat() == "2026-11-20T10:00:00+00:00"
    audit = AuditEvent.objects.filter(
        action=AuditAction.CONSENT_GRANTED, subject_id=customer.pk, purpose="marketing_email"
    ).get()
    assert audit.metadata["vouched"] is True


def test_a_withdrawal_takes_effect_at_once_and_carries_no_confirmation(client, customer):
    assert _grant(client, customer, confirmation=EVIDENCE).status_code == 201
    url = f"/api/v1/customers/{customer.pk}/consents/"
    refused = client.post(
        url,
        {"purpose": "marketing_email", "granted": False, "confirmation": EVIDENCE},
        format="json",
    )
    assert refused.status_code == 400 and "confirmation" in refused.json()
    withdrawn = client.post(url, {"purpose": "marketing_email", "granted": False}, format="json")
    assert withdrawn.status_code == 201
    assert not current_consents(customer.pk)["marketing_email"].granted


@pytest.mark.parametrize(
    "evidence",
    [
        {"confirmed_at": "2999-01-01T00:00:00Z", "method": "email_link"},
        {"confirmed_at": "2026-11-20T10:00:00", "method": "email_link"},
        {"confirmed_at": "2026-11-20T10:00:00Z"},
        {"confirmed_at": "2026-11-20T10:00:00Z", "method": "email link <a@b.c>"},
        {"confirmed_at": "2026-11-20T10:00:00Z", "method": "email_link", "by": "x"},
        True,
    ],
)
def test_malformed_evidence_is_refused_naming_it(client, customer, evidence):
    response = _grant(client, customer, confirmation=evidence)
    assert response.status_code == 400 and "confirmation" in response.json()
    assert response.json()["confirmation"] != ["Unknown field."]  # read, and refused
    assert not _marketing_events(customer.pk).exists()


def test_a_create_lists_the_grant_as_pending_and_shows_it_false(client, committed):
    response = committed(lambda: client.post("/api/v1/customers/", NEW, format="json"))
    assert response.status_code == 201
    body = response.json()
    assert body["consents"] == {"account": True, "marketing_email": False}
    assert body["pending_confirmations"] == ["marketing_email"]
    customer = Customer.objects.get()
    assert not current_consents(customer.pk)["marketing_email"].granted
    assert not _marketing_events(customer.pk).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]


def test_a_create_with_evidence_grants_at_once(client, committed):
    body = {**NEW, "confirmation": EVIDENCE}
    response = committed(lambda: client.post("/api/v1/customers/", body, format="json"))
    assert response.status_code == 201
    assert response.json()["consents"]["marketing_email"] is True
    assert "pending_confirmations" not in response.json()
    assert mail.outbox == []
    event = _marketing_events(Customer.objects.get().pk).get()
    assert event.vouched and event.confirmed_at is not None


def test_a_bulk_create_waits_for_each_customers_link(client, committed):
    items = [
        NEW,
        {**NEW, "external_id": "shop-2", "email": "bob@example.org", "confirmation": EVIDENCE},
    ]
    response = committed(lambda: client.post("/api/v1/customers/", items, format="json"))
    assert response.status_code == 201
    first, second = response.json()["items"]
    assert first["pending_confirmations"] == ["marketing_email"]
    assert "pending_confirmations" not in second
    ada = Customer.objects.get(pk=first["id"])
    bob = Customer.objects.get(pk=second["id"])
    assert not current_consents(ada.pk)["marketing_email"].granted
    assert current_consents(bob.pk)["marketing_email"].granted
    assert [message.to for message in mail.outbox] == [["ada@example.org"]]


def test_an_idempotent_retry_of_a_pending_grant_is_replayed_and_mails_once(
    client, customer, committed
):
    def keyed():
        return _grant(client, customer, HTTP_IDEMPOTENCY_KEY="grant-1")

    first, replay = committed(keyed), committed(keyed)
    assert (first.status_code, replay.status_code) == (202, 202)
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    assert len(mail.outbox) == 1
