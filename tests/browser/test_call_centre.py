"""The call centre in Chromium (issue 27, items 1-3), in English and Bahasa Indonesia,
at 375 and 1280 px: a support agent finds the caller by order number, logs the call,
records "stop calling me" (marketing_phone withdrawn) and sees it on the 360 view.
Screenshots go to test-artifacts/call-centre/."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from access.roles import Role
from consent.selectors import has_consent
from customers.models import Interaction
from customers.services import PurchaseLine, record_purchases
from tests.factories import CustomerFactory, ProductFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "call-centre"
PASSWORD = "correct-horse-battery-staple"
ORDER = "ORD-2026-0042"
WORDS = {
    "en": {
        "withdrawn": "Offers by phone: withdrawn for the customer.",
        "not_given": "Not given",
        "follow_up": "Needs a follow-up",
    },
    "id": {
        "withdrawn": "Penawaran melalui telepon: ditarik untuk pelanggan.",
        "not_given": "Tidak diberikan",
        "follow_up": "Perlu tindak lanjut",
    },
}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def every_field_is_labelled(page: Page) -> bool:
    return page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
           .every(el => el.labels && el.labels.length > 0)"""
    )


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_an_agent_finds_a_caller_by_order_logs_the_call_and_records_stop_calling_me(
    browser, live_server, make_staff, language, width
):
    caller = CustomerFactory(
        full_name="Sam Morin",
        consents={"account": True, "marketing_phone": True, "marketing_post": True},
    )
    product = ProductFactory(sku="KETTLE-1", name="Kettle")
    record_purchases(
        lines=[PurchaseLine(caller.pk, ORDER, product.sku, 1, Decimal("20"), timezone.now())],
        actor="api-key:test",
    )
    make_staff(Role.SUPPORT_AGENT, username="ana", password=PASSWORD)
    words = WORDS[language]
    name = f"{language}-{width}"

    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/dashboard/sign-in/")
        page.fill("#id_username", "ana")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.goto(f"{live_server.url}/dashboard/service/")

        page.locator("input[name=query]").fill(ORDER)
        assert every_field_is_labelled(page)
        page.locator("form:has(input[name=query]) button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/dashboard/service/customers/{caller.pk}/")
        expect(page.locator("main")).not_to_contain_text("Sam Morin")
        assert fits_the_screen(page)
        shot(page, f"{name}-01-found-by-order")

        page.goto(f"{live_server.url}/dashboard/customers/{caller.pk}/")
        page.locator("details.log-contact > summary").click()
        page.locator("select[name=kind]").select_option("delivery")
        page.locator("input[name=outcome][value=follow_up]").check()
        page.locator("form[action$='/contacts/'] textarea[name=note]").fill(
            "Parcel late; courier calls back"
        )
        page.locator("form[action$='/contacts/'] button[type=submit]").click()
        expect(page.locator("#interactions")).to_contain_text(words["follow_up"])
        expect(page.locator("#interactions")).to_contain_text("ana")
        assert Interaction.objects.filter(customer_id=caller.pk, outcome="follow_up").exists()

        page.locator("details.record-choice > summary").click()
        page.locator("select[name=purpose]").select_option("marketing_phone")
        page.locator("input[name=choice][value=withdraw]").check()
        page.locator("form[action$='/choices/'] select[name=channel]").select_option("phone")
        page.locator("form[action$='/choices/'] textarea[name=note]").fill(
            "Stop calling me, please"
        )
        assert every_field_is_labelled(page) and page.evaluate(
            "new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size"
            " === document.querySelectorAll('[id]').length"
        )
        shot(page, f"{name}-02-record-choice-form")
        page.locator("form[action$='/choices/'] button[type=submit]").click()

        expect(page.locator("main")).to_contain_text(words["withdrawn"])
        expect(page.locator('tr[data-purpose="marketing_phone"]')).to_contain_text(
            words["not_given"]
        )
        assert not has_consent(caller.pk, "marketing_phone")
        assert has_consent(caller.pk, "marketing_post")
        assert fits_the_screen(page)
        shot(page, f"{name}-03-stop-calling-me-recorded")
    finally:
        context.close()
