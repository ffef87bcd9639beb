"""The calm page a visitor sees when the vault cannot read personal data (a master key
missing from VAULT_MASTER_KEYS): 503, plain words, no traceback, usable at 375 px."""

import base64

import pytest
from playwright.sync_api import Page, expect

from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_master_key_shows_a_calm_page_not_a_traceback(
    staff_page: Page, live_server, settings, debug
):
    customer = CustomerFactory()
    settings.DEBUG = debug
    settings.VAULT_MASTER_KEYS = [base64.urlsafe_b64encode(b"\x05" * 32).decode()]
    staff_page.set_viewport_size({"width": 375, "height": 700})
    response = staff_page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/change/")
    assert response.status == 503
    expect(staff_page.locator("h1")).to_have_text("Temporarily unavailable")
    expect(staff_page.locator("body")).not_to_contain_text("Traceback")
    expect(staff_page.locator("body")).not_to_contain_text("MasterKeyUnavailable")
    expect(staff_page.locator("html")).to_have_attribute("lang", "en-gb")
    staff_page.screenshot(path=f"test-artifacts/vault-unavailable-debug-{debug}.png")
