"""Issue 25 item 7, imports: a marketer (who may not look customers up) reads the same
report, dry run or not, for a customer's row as for a new lead's; a privacy officer, who
may look customers up, is told."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from access.roles import Role
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


def _import(client, email):
    upload = SimpleUploadedFile(
        "list.csv",
        f"email,full_name,consents,consent_at\n{email},Someone,marketing_post,2026-01-01\n".encode(),
        content_type="text/csv",
    )
    return client.post(
        "/dashboard/leads/import/",
        {"file": upload, "source": "fair", "lawful_basis": "consent", "dry_run": "on"},
    )


def test_a_marketers_dry_run_reads_the_same_for_a_customers_row_and_a_new_one(
    signed_in, subscribed
):
    client, _user = signed_in(Role.MARKETING)
    known = _import(client, subscribed.email)
    unknown = _import(client, STRANGER)
    assert known.status_code == unknown.status_code == 200
    assert b"customer" not in known.content.lower().replace(b"customers", b"")
    assert CSRF.sub(b"", known.content) == CSRF.sub(b"", unknown.content)
    assert "accepted" in known.content.decode()


def test_a_privacy_officer_who_may_look_customers_up_sees_the_customer_row(signed_in, subscribed):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert "already a customer" in _import(client, subscribed.email).content.decode()
