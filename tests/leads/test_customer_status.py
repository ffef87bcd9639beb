"""Issue 25 item 7: capturing a lead says nothing about who is a customer, to anyone who
may not look customers up. The public form answers the same page to everyone and mails
what fits; a key with only the `leads` scope gets the same receipt for every address; a
marketer's import report (dry run or not) reads the same for a customer's row as for a
new lead's."""

import re

import pytest
from django.core import mail

from consent.models import Purpose
from consent.selectors import has_consent
from leads.models import Lead, LeadForm

pytestmark = pytest.mark.django_db(databases="__all__")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
STRANGER = "stranger@example.org"


@pytest.fixture
def subscribed(make_customer):
    """A customer who already receives offers by email."""
    customer = make_customer(consents={"account": True, "marketing_email": True})
    assert has_consent(customer.pk, "marketing_email")
    return customer


@pytest.fixture
def lead_form():
    return LeadForm.objects.create(
        slug="newsletter",
        name="Newsletter",
        source="website",
        purposes=["marketing_email", "marketing_post"],
    )


def _submit(client, email, purposes):
    client.cookies.clear()
    return client.post(
        "/forms/newsletter/",
        {"email": email, "full_name": "Someone", "website": "", "purposes": purposes},
    )


@pytest.mark.parametrize("purposes", [["marketing_email"], ["marketing_post"]])
def test_the_form_answers_a_subscribed_customer_as_it_answers_a_stranger(
    client, lead_form, subscribed, purposes
):
    known = _submit(client, subscribed.email, purposes)
    unknown = _submit(client, STRANGER, purposes)
    assert known.status_code == unknown.status_code == 200
    assert CSRF.sub(b"", known.content) == CSRF.sub(b"", unknown.content)


def test_a_subscribed_customer_is_mailed_that_they_already_are_with_the_way_to_the_portal(
    client, lead_form, subscribed, settings
):
    settings.PUBLIC_URL = "https://shop.example"
    Purpose.objects.filter(code="marketing_email").update(name="stored label")
    _submit(client, subscribed.email, ["marketing_email"])
    _submit(client, STRANGER, ["marketing_email"])
    to_customer, to_stranger = mail.outbox
    assert to_customer.to == [subscribed.email] and to_stranger.to == [STRANGER]
    assert "already" in to_customer.subject.lower()
    assert "https://shop.example/portal/" in to_customer.body
    assert "Offers by email" in to_customer.body  # the vocabulary's name, as on the form
    assert "stored label" not in to_customer.body
    assert "/forms/confirm/" in to_stranger.body
    html, mime = to_customer.alternatives[0]
    assert mime == "text/html" and "https://shop.example/portal/" in html
    assert Lead.objects.count() == 1  # the stranger's; a customer's address stores none
