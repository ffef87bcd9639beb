"""Storefront API keys in the admin, driven in Chromium: scopes are ticked from the
known names only, and the key is stored with exactly those (a list)."""

import pytest
from playwright.sync_api import Page, expect

from api.models import Scope, StorefrontKey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

KEYS = "/admin/api/storefrontkey/"


def test_staff_tick_known_scopes_and_the_key_stores_exactly_those(staff_page: Page, live_server):
    staff_page.goto(f"{live_server.url}{KEYS}add/")
    boxes = staff_page.locator("input[name=scopes]")
    expect(boxes).to_have_count(len(Scope.values))
    staff_page.fill("#id_name", "web-shop")
    staff_page.check("input[name=scopes][value=customers]")
    staff_page.check("input[name=scopes][value=privacy]")
    staff_page.screenshot(path="test-artifacts/api-key-scopes.png", full_page=True)
    staff_page.click("input[name=_save]")
    staff_page.wait_for_url(f"{live_server.url}{KEYS}")
    assert StorefrontKey.objects.get(name="web-shop").scopes == ["customers", "privacy"]


def test_a_key_without_any_scope_is_refused(staff_page: Page, live_server):
    staff_page.goto(f"{live_server.url}{KEYS}add/")
    staff_page.fill("#id_name", "no-scopes")
    with staff_page.expect_navigation():
        staff_page.click("input[name=_save]")
    expect(staff_page.locator(".field-scopes .errorlist")).to_be_visible()
    assert not StorefrontKey.objects.exists()
