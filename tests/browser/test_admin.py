"""The staff admin, driven in Chromium: personal data stays masked, search goes through
the blind index, erased customers do not break pages, and nothing is added or deleted."""

import re

import pytest
from playwright.sync_api import Page, expect

from audit.models import AuditEvent
from tests.factories import CustomerFactory
from vault.services import destroy_key

pytestmark = [
    pytest.mark.browser,
    # The live server's thread only sees committed rows.
    pytest.mark.django_db(transaction=True, databases="__all__"),
    # WhiteNoise warns when STATIC_ROOT was never collected; the live server serves static.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CUSTOMERS = "/admin/customers/customer/"
AUDIT_EVENTS = "/admin/audit/auditevent/"
ROWS = "#result_list tbody tr"
ADD_LINK = "#content-main a.addlink"  # not the sidebar's links to adding other models


def _ada():
    return CustomerFactory(
        external_id="shop-ada-1815",
        email="ada@example.com",
        full_name="Ada Lovelace",
        postal_address="12 St James's Square, London",
    )


def _search(page: Page, base_url: str, term: str) -> None:
    page.goto(base_url + CUSTOMERS)
    page.fill("#searchbar", term)
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"\?q="))


def test_staff_see_customer_emails_masked_in_the_admin(staff_page: Page, live_server):
    ada = _ada()
    CustomerFactory(email="grace@example.com", full_name="Grace Hopper")

    staff_page.goto(live_server.url + CUSTOMERS)

    expect(staff_page.locator(ROWS)).to_have_count(2)
    ada_row = staff_page.locator(ROWS).filter(has_text=str(ada.pk))
    expect(ada_row.locator("td.field-masked_email")).to_have_text("a***@example.com")
    expect(ada_row.locator("td.field-masked_name")).to_have_text("A***")
    html = staff_page.content()
    for plaintext in (
        "ada@example.com",
        "Ada Lovelace",
        "Lovelace",
        "grace@example.com",
        "Grace Hopper",
        "shop-ada-1815",
        "St James",
    ):
        assert plaintext not in html


def test_staff_find_a_customer_by_exact_email_in_any_case(staff_page: Page, live_server):
    ada = _ada()
    CustomerFactory(email="grace@example.com")

    _search(staff_page, live_server.url, "  ADA@Example.COM ")

    rows = staff_page.locator(ROWS)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str(ada.pk))
    expect(rows.first.locator("td.field-masked_email")).to_have_text("a***@example.com")
    expect(staff_page.locator(".paginator")).to_have_text(re.compile(r"^\s*1 customer\s*$"))


def test_staff_searching_an_unknown_email_see_no_customers(staff_page: Page, live_server):
    _ada()

    _search(staff_page, live_server.url, "nobody@example.com")

    expect(staff_page.locator(ROWS)).to_have_count(0)
    expect(staff_page.locator(".paginator")).to_have_text(re.compile(r"^\s*0 customers\s*$"))


def test_staff_see_erased_for_a_customer_whose_key_was_destroyed(staff_page: Page, live_server):
    erased = CustomerFactory(email="erased@example.com", full_name="Erased Person")
    kept = _ada()
    assert destroy_key(subject_id=erased.pk)

    staff_page.goto(live_server.url + CUSTOMERS)

    expect(staff_page.locator(ROWS)).to_have_count(2)
    erased_row = staff_page.locator(ROWS).filter(has_text=str(erased.pk))
    expect(erased_row.locator("td.field-masked_email")).to_have_text("[erased]")
    expect(erased_row.locator("td.field-masked_name")).to_have_text("[erased]")
    kept_row = staff_page.locator(ROWS).filter(has_text=str(kept.pk))
    expect(kept_row.locator("td.field-masked_email")).to_have_text("a***@example.com")

    staff_page.goto(f"{live_server.url}{CUSTOMERS}{erased.pk}/change/")
    expect(staff_page.locator(".field-masked_email .readonly")).to_have_text("[erased]")


def test_staff_can_neither_delete_nor_add_customers(staff_page: Page, live_server):
    ada = _ada()

    response = staff_page.goto(f"{live_server.url}{CUSTOMERS}{ada.pk}/change/")
    assert response.status == 200
    expect(staff_page.locator(".field-masked_email .readonly")).to_have_text("a***@example.com")
    expect(staff_page.locator("a.deletelink")).to_have_count(0)
    expect(staff_page.locator("input[name=_save]")).to_have_count(0)

    staff_page.goto(live_server.url + CUSTOMERS)
    expect(staff_page.locator(ROWS)).to_have_count(1)
    expect(staff_page.locator(ADD_LINK)).to_have_count(0)
    expect(staff_page.get_by_text(re.compile("Add customer", re.I))).to_have_count(0)
    expect(staff_page.locator("select[name=action] option[value=delete_selected]")).to_have_count(0)

    assert staff_page.goto(f"{live_server.url}{CUSTOMERS}add/").status == 403
    assert staff_page.goto(f"{live_server.url}{CUSTOMERS}{ada.pk}/delete/").status == 403
    # Control: the same selector does find the add link where staff may add (products).
    staff_page.goto(live_server.url + "/admin/customers/product/")
    expect(staff_page.locator(ADD_LINK)).to_have_count(1)


def test_staff_see_audit_events_read_only(staff_page: Page, live_server):
    ada = _ada()
    event = AuditEvent.objects.get(object_id=str(ada.pk), action="customer.created")

    staff_page.goto(live_server.url + AUDIT_EVENTS)
    rows = staff_page.locator(ROWS)
    expect(rows.filter(has_text=str(ada.pk))).to_have_count(1)
    expect(staff_page.locator(ADD_LINK)).to_have_count(0)
    assert "ada@example.com" not in staff_page.content()

    response = staff_page.goto(f"{live_server.url}{AUDIT_EVENTS}{event.pk}/change/")
    assert response.status == 200
    expect(staff_page.locator("#content")).to_contain_text("customer.created")
    expect(staff_page.locator("input[name=_save]")).to_have_count(0)
    expect(staff_page.locator("input[type=submit]")).to_have_count(0)
    expect(staff_page.locator("a.deletelink")).to_have_count(0)
    assert staff_page.goto(f"{live_server.url}{AUDIT_EVENTS}add/").status == 403
