"""Issue 25 item 7, the API: a key with only the `leads` scope gets the same receipt for
every address; a key that may look customers up (scope `customers`) is still told."""

import re

import pytest
from django.core import mail

from consent.selectors import has_consent

pytestmark = pytest.mark.django_db(databases="__all__")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
STRANGER = "stranger@example.org"


@pytest.fixture
def subscribed(make_customer):
    """A customer who already receives offers by email."""
    customer = make_customer(consents={"account": True, "marketing_email": True})
    assert has_consent(customer.pk, "marketing_email")
    return customer


def _create(client, email):
    return client.post(
        "/api/v1/leads/",
        {"email": email, "source": "shop", "consents": {"marketing_email": True}},
        format="json",
    )


def test_a_key_with_only_the_leads_scope_gets_the_same_receipt_for_every_address(
    make_client, subscribed
):
    client = make_client(scopes=["leads"])
    known = _create(client, subscribed.email)
    unknown = _create(client, STRANGER)
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"pending_confirmations": ["marketing_email"]}
    assert "Location" not in known and "Location" not in unknown
    assert len(mail.outbox) == 2  # each address gets the mail that fits it


def test_a_key_that_may_look_customers_up_is_still_told(make_client, subscribed):
    client = make_client(scopes=["leads", "customers"])
    assert _create(client, subscribed.email).status_code == 409
    assert _create(client, STRANGER).status_code == 201
