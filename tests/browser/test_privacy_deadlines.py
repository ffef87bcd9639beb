"""The privacy desk in Chromium, in English and Bahasa Indonesia at 375 and 1280 px: an
officer records a letter that arrived ten days ago (the deadline counts from that day)
and starts its erasure through the confirmation page. Screenshots go under
test-artifacts/privacy-deadlines/."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from access.roles import Role
from disposal.deadlines import add_months
from privacy.models import DataSubjectRequest
from tests.browser.steps import PASSWORD, screenshots
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

shot = screenshots("privacy-deadlines")

WORDS = {
    "en": {"received": "Received on", "confirm": "Start the erasure?"},
    "id": {"received": "Diterima pada", "confirm": "Mulai penghapusan?"},
}


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_a_late_letter_counts_from_its_arrival_and_its_erasure_is_confirmed_first(
    browser, live_server, make_staff, language, width
):
    customer = CustomerFactory()
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    arrived = timezone.localdate() - timedelta(days=10)
    with translation.override("en-gb" if language == "en" else language):
        due = date_format(add_months(arrived, 1), "SHORT_DATE_FORMAT")
    words, name = WORDS[language], f"{language}-{width}"

    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/dashboard/sign-in/")
        page.fill("#id_username", "pia")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()

        page.goto(f"{live_server.url}/dashboard/customers/{customer.pk}/requests/new/")
        page.locator("select[name=kind]").select_option("erasure")
        page.locator("select[name=channel]").select_option("post")
        page.get_by_label(words["received"]).fill(arrived.isoformat())
        assert fits_the_screen(page)
        shot(page, f"{name}-01-record-late-letter")
        page.locator("main form button[type=submit]").click()

        request = DataSubjectRequest.objects.get(customer=customer)
        expect(page).to_have_url(f"{live_server.url}/dashboard/privacy/requests/{request.pk}/")
        expect(page.locator("main dl")).to_contain_text(due)
        assert request.due_by == add_months(arrived, 1)
        page.locator("select[name=method]").select_option("id_document")
        page.locator("form[action$='/verify/'] button").click()
        assert fits_the_screen(page)
        shot(page, f"{name}-02-deadline-from-arrival")

        page.locator("form[action$='/complete/'] button").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["confirm"])
        assert fits_the_screen(page)
        shot(page, f"{name}-03-confirm-erasure")
        request.refresh_from_db()
        assert request.erasure_request_id is None

        page.locator("form.confirm-actions button").click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text(words["confirm"])
        request.refresh_from_db()
        assert request.erasure_request_id is not None
        erasure_url = f"/dashboard/privacy/erasures/{request.erasure_request_id}/"
        expect(page).to_have_url(f"{live_server.url}{erasure_url}")
        shot(page, f"{name}-04-erasure-started")
    finally:
        context.close()
