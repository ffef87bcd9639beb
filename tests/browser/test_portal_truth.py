"""Issue 26, items 6 and 9 in a browser: an email change tells the old address, whose
link undoes it and signs every session out; the choices page shows what a choice needs
and a confirmation that is still waiting. Each page is checked in English and Bahasa
Indonesia at 375 and 1280 pixels; screenshots in test-artifacts/portal-truth/."""

import re
import time

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from customers.models import Customer
from tests.browser import test_portal
from tests.browser.steps import screenshots
from tests.browser.test_portal import CODE, fits_the_screen, sign_in

# The portal flow's fixtures: a phone-sized page and Siti, a customer with purchases.
phone_page = test_portal.phone_page
siti = test_portal.siti

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

UNDO = re.compile(r"https?://[^/\s]+(/portal/profile/email/undo/\S+)")
SIZES = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}
shot = screenshots("portal-truth")


def mail_to(address: str, timeout: float = 10):
    """The last mail to `address` (mails are sent after the response)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [message for message in mail.outbox if message.to == [address]]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError("no mail")


def each_language_and_size(page: Page, base: str, name: str) -> None:
    """Reload the page in each language at each width: it fits, and gets a screenshot."""
    for language in ("en-gb", "id"):
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.reload()
            assert page.locator("html").get_attribute("lang") == language
            assert fits_the_screen(page), f"{name} {language} {size}"
            shot(page, f"{name}-{language}-{size}")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en-gb", "url": base}]
    )
    page.set_viewport_size(SIZES["375"])
    page.reload()


def test_an_email_change_tells_the_old_address_whose_link_undoes_it(
    phone_page, browser, live_server, siti
):
    base, old = live_server.url, siti.email
    sign_in(phone_page, base, old)
    phone_page.get_by_role("link", name="Correct", exact=True).click()
    phone_page.get_by_role("link", name=re.compile("email", re.I)).first.click()
    phone_page.get_by_label("New email address").fill("siti.baru@example.net")
    phone_page.get_by_role("button", name="Send a code to the new address").click()
    expect(phone_page.get_by_text("We sent a code to s***@example.net.")).to_be_visible()
    each_language_and_size(phone_page, base, "confirm-email")
    code = CODE.search(mail_to("siti.baru@example.net").body).group(1)
    mail.outbox.clear()
    phone_page.get_by_label("Code").fill(code)
    phone_page.get_by_role("button", name="Confirm").click()
    told = mail_to(old)
    assert "s***@example.net" in told.body and "siti.baru" not in told.body
    assert Customer.objects.get(pk=siti.pk).email == "siti.baru@example.net"

    # Whoever reads the old mailbox follows the link, on another device.
    other = browser.new_context(viewport=SIZES["375"])
    mailbox = other.new_page()
    mailbox.goto(base + UNDO.search(told.body).group(1))
    expect(mailbox.get_by_role("heading", name="Undo the email change")).to_be_visible()
    assert Customer.objects.get(pk=siti.pk).email == "siti.baru@example.net"
    each_language_and_size(mailbox, base, "undo-email")
    mailbox.get_by_role("button", name="Undo the change and sign everyone out").click()
    expect(mailbox.get_by_role("heading", name="Your old address is back")).to_be_visible()
    shot(mailbox, "undo-email-done")
    other.close()
    assert Customer.objects.get(pk=siti.pk).email == old

    # The session that made the change is signed out.
    phone_page.goto(base + "/portal/my-data/")
    expect(phone_page.get_by_label("Email address")).to_be_visible()
    assert "/portal/sign-in/" in phone_page.url


def test_choices_show_what_they_need_and_a_waiting_confirmation(phone_page, live_server, siti):
    base = live_server.url
    sign_in(phone_page, base, siti.email)
    phone_page.get_by_role("link", name="Choices", exact=True).click()
    card = phone_page.locator("#purpose-marketing_email")
    card.get_by_role("button", name="Agree (we email you a link to confirm)").click()
    card = phone_page.locator("#purpose-marketing_email")
    expect(card.get_by_text("Waiting for you to confirm: we emailed you a link.")).to_be_visible()
    expect(card.get_by_role("button", name="Send the confirmation link again")).to_be_visible()
    sensitive = phone_page.locator("#purpose-sensitive_personalization")
    expect(sensitive.get_by_text("Needs “Personal suggestions”.")).to_be_visible()
    each_language_and_size(phone_page, base, "consents")
    phone_page.goto(base + "/portal/consents/")
    card = phone_page.locator("#purpose-marketing_email")
    mail.outbox.clear()
    card.get_by_role("button", name="Send the confirmation link again").click()
    assert mail_to(siti.email)


def test_the_access_log_and_the_close_page_read_plainly_at_both_sizes(
    phone_page, live_server, siti
):
    base = live_server.url
    sign_in(phone_page, base, siti.email)
    phone_page.get_by_role("link", name="Access log").click()
    expect(phone_page.get_by_text("Times are in the UTC time zone.")).to_be_visible()
    phone_page.get_by_label("Only others").check()
    phone_page.get_by_role("button", name="Show").click()
    assert "who=others" in phone_page.url
    expect(phone_page.get_by_role("cell", name="You", exact=True)).to_have_count(0)
    each_language_and_size(phone_page, base, "access-log")
    phone_page.goto(base + "/portal/close-account/")
    expect(phone_page.locator("#erased li").first).to_have_text("Your profile")
    expect(phone_page.locator("#kept")).to_contain_text("kept 6 years, no longer linked to you")
    each_language_and_size(phone_page, base, "close-account")
