"""Issue 26 items 4 and 10 in Chromium: a customer reading in Bahasa Indonesia sees the
notices in Bahasa Indonesia on the choices page and on a public lead form, grants a
choice, and the ledger records that language; dates and the "Close my account" link
read one way. Both languages at 375 and 1280 pixels; screenshots in
test-artifacts/notice-languages/."""

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from consent.models import ConsentEvent
from leads.models import LeadConsent, LeadForm
from tests.browser import test_portal
from tests.browser.steps import screenshots
from tests.browser.test_portal import fits_the_screen, sign_in
from tests.factories import CustomerFactory

phone_page = test_portal.phone_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SIZES = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}
POST_ID = "Kami dapat mengirimkan penawaran dan katalog kepada Anda melalui pos."
POST_EN = "We may send you offers and catalogues by post."
shot = screenshots("notice-languages")


def _language(page: Page, base: str, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )


def test_a_customer_reads_and_grants_a_notice_in_indonesian(phone_page, live_server):
    base = live_server.url
    customer = CustomerFactory(email="ayu@example.com", full_name="Ayu Wulandari")
    sign_in(phone_page, base, customer.email)
    for language, text in (("en-gb", POST_EN), ("id", POST_ID)):
        _language(phone_page, base, language)
        for size, viewport in SIZES.items():
            phone_page.set_viewport_size(viewport)
            phone_page.goto(base + "/portal/consents/")
            card = phone_page.locator("#purpose-marketing_post")
            card.locator("summary").click()
            expect(card.get_by_text(text)).to_be_visible()
            assert fits_the_screen(phone_page)
            assert phone_page.locator('a[href="/portal/close-account/"]').count() == 1
            shot(phone_page, f"choices-{language}-{size}")
    card = phone_page.locator("#purpose-marketing_post")
    card.get_by_role("button", name="Setujui", exact=True).click()
    expect(phone_page.get_by_role("status")).to_be_visible()
    event = ConsentEvent.objects.filter(customer=customer, purpose="marketing_post").first()
    assert event.granted and event.notice_language == "id"


def test_a_visitor_reads_a_lead_form_in_indonesian(phone_page, live_server):
    base = live_server.url
    LeadForm.objects.create(
        slug="kabar", name="Kabar Toko", source="website", purposes=["marketing_post"]
    )
    for language, text in (("en-gb", POST_EN), ("id", POST_ID)):
        _language(phone_page, base, language)
        for size, viewport in SIZES.items():
            phone_page.set_viewport_size(viewport)
            phone_page.goto(base + "/forms/kabar/")
            expect(phone_page.get_by_text(text)).to_be_visible()
            assert fits_the_screen(phone_page)
            shot(phone_page, f"lead-form-{language}-{size}")
    phone_page.get_by_label("Alamat email").fill("putri@example.org")
    phone_page.get_by_label("Penawaran melalui pos").check()
    phone_page.get_by_role("button", name="Kirim").click()
    expect(phone_page.locator("h1")).to_be_visible()
    assert LeadConsent.objects.get().notice_language == "id"
