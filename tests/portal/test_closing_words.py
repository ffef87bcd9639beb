"""Issue 26, item 7: closing the account in plain words. What goes, in a plain order
(profile first); what stays, why and for how long in plain units; the certificate
number mailed to the address before it is erased, agreeing with the status page."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from customers.services import PurchaseLine, record_purchases
from disposal.models import ErasureRequest
from portal.presentation import duration_text
from tests.factories import ProductFactory
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db(databases="__all__")


def items(page: str, list_id: str) -> list[str]:
    body = re.search(rf'id="{list_id}">(.*?)</[ou]l>', page, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in body.split("</li>")[:-1]]


def test_what_goes_starts_with_the_profile_in_plain_names(signed_in):
    page = signed_in.get("/portal/close-account/").content.decode()
    erased = items(page, "erased")
    assert erased[0] == "Your profile" and erased[1] == "Your purchases"
    assert not [item for item in erased if "_" in item or "." in item]


def test_what_stays_says_why_and_how_long_in_years(signed_in):
    page = signed_in.get("/portal/close-account/").content.decode()
    [purchases] = items(page, "kept")
    assert purchases.startswith("Your purchases: kept 6 years, no longer linked to you.")
    assert "tax law" in purchases and "2192" not in page and " days" not in purchases


def test_the_my_data_page_states_retention_in_plain_units(signed_in, customer):
    # Purchases are shown (with their tax-law hold) once there are some: empty
    # categories are left out (issue 26 item 2).
    ProductFactory(sku="POT", name="Teapot")
    record_purchases(
        lines=[PurchaseLine(customer.pk, "o-1", "POT", 1, Decimal("5.00"), timezone.now())],
        actor="system",
    )
    page = signed_in.get("/portal/my-data/").content.decode()
    assert "6 years" in page and "2192 days" not in page and "1095 days" not in page


@pytest.mark.parametrize(
    ("days", "words"),
    [(2192, "6 years"), (1095, "3 years"), (365, "1 year"), (90, "3 months"), (35, "35 days"),
     (1, "1 day")],
)  # fmt: skip
def test_one_duration_formatter(days, words):
    assert duration_text(days) == words


def test_the_certificate_number_is_mailed_before_the_address_is_erased(
    client, customer, django_capture_on_commit_callbacks
):
    sign_in(client, customer)
    address = customer.email
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/close-account/", {"confirm": "on"})
    erasure = ErasureRequest.objects.get()
    [told] = [message for message in mail.outbox if message.to == [address]]
    assert str(erasure.certificate.pk) in told.body and str(erasure.pk) in told.body
    status = client.get("/portal/close-account/status/").content.decode()
    assert str(erasure.certificate.pk) in status
    horizon = date_format(erasure.certificate.backup_horizon, "DATE_FORMAT")
    assert horizon in told.body and horizon in status
    assert "emailed you this certificate number" in status
