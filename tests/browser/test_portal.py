"""The customer portal as a customer meets it: a phone-sized Chromium window, no help.
Each flow saves a screenshot under test-artifacts/portal/."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from consent.selectors import current_consents
from customers.models import Customer
from customers.services import PurchaseLine, record_purchases
from disposal.models import ErasureRequest, ErasureStatus
from recommendations.services import build_model
from tests.browser.steps import screenshots
from tests.factories import CustomerFactory, ProductFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PHONE = {"width": 375, "height": 812}
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def siti():
    customer = CustomerFactory(
        email="siti@example.com",
        full_name="Siti Rahma",
        phone="+62 21 5550 100",
        consents={"account": True, "personalization": True},
    )
    tea, pot, _cups, mat = (
        ProductFactory(sku=sku, name=name, category="kitchen")
        for sku, name in [("T", "Green tea"), ("P", "Teapot"), ("C", "Tea cups"), ("M", "Yoga mat")]
    )
    for number in range(3):
        buyer = CustomerFactory()
        _buy(buyer, f"o-{number}", tea, pot)
    _buy(CustomerFactory(), "o-m", mat)
    _buy(customer, "o-siti", tea)
    build_model()
    return customer


def _buy(customer, order, *products):
    record_purchases(
        lines=[
            PurchaseLine(
                customer.pk, order, p.sku, 1, Decimal("4.00"), timezone.now() - timedelta(days=3)
            )
            for p in products
        ],
        actor="system",
    )


shot = screenshots("portal")


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def every_field_is_labelled(page: Page) -> bool:
    return page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
           .every(el => el.labels && el.labels.length > 0)"""
    )


def sign_in(page: Page, base: str, email: str) -> None:
    mail.outbox.clear()
    page.goto(base + "/portal/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    code = CODE.search(mail.outbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Everything we hold about you")).to_be_visible()


@pytest.mark.usefixtures("no_min_support")  # a handful of shoppers behind the suggestions
def test_sign_in_with_the_mailed_code_and_see_my_data(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    expect(phone_page.get_by_text("Siti Rahma")).to_be_visible()
    expect(phone_page.get_by_role("cell", name="Green tea")).to_be_visible()
    assert fits_the_screen(phone_page)
    shot(phone_page, "my-data")
    phone_page.get_by_role("link", name="Suggestions").click()
    expect(phone_page.get_by_text("Because you bought Green tea.")).to_be_visible()
    expect(phone_page.get_by_text("Popular with other customers.").first).to_be_visible()
    assert fits_the_screen(phone_page)
    shot(phone_page, "recommendations")


def test_a_bad_phone_is_explained_then_a_good_one_is_saved(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    phone_page.get_by_role("link", name="Correct", exact=True).click()
    assert every_field_is_labelled(phone_page)
    phone_page.get_by_label("Phone number").fill("12345")
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.get_by_role("alert")).to_contain_text("Enter a valid phone number")
    expect(phone_page.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")
    shot(phone_page, "profile-error")
    phone_page.get_by_label("Phone number").fill("+62 21 5550 199")
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.get_by_text("Your details are saved.")).to_be_visible()
    assert Customer.objects.get(pk=siti.pk).phone == "+62215550199"


def test_change_email_with_the_code_sent_to_the_new_address(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    phone_page.get_by_role("link", name="Correct", exact=True).click()
    phone_page.get_by_role("link", name="Change your email address").click()
    phone_page.get_by_label("New email address").fill("siti.rahma@example.org")
    phone_page.get_by_role("button", name="Send a code to the new address").click()
    assert mail.outbox[-1].to == ["siti.rahma@example.org"]
    phone_page.get_by_label("Code").fill(CODE.search(mail.outbox[-1].body).group(1))
    shot(phone_page, "confirm-email")
    phone_page.get_by_role("button", name="Confirm").click()
    expect(phone_page.get_by_text("Your email address is changed.")).to_be_visible()
    expect(phone_page.get_by_text("siti.rahma@example.org")).to_be_visible()


def test_withdraw_a_consent_and_opt_in_by_the_mailed_link(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    phone_page.get_by_role("link", name="Choices", exact=True).click()
    card = phone_page.locator("#purpose-personalization")
    card.get_by_role("button", name="Withdraw").click()
    expect(phone_page.get_by_text("You withdrew it.")).to_be_visible()
    assert current_consents(siti.pk)["personalization"].granted is False
    phone_page.locator("#purpose-marketing_email").get_by_role("button").click()
    expect(phone_page.get_by_text("We sent you an email.")).to_be_visible()
    shot(phone_page, "consents")
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    forged = link.rstrip("/")[:-2] + "zz/"
    phone_page.goto(forged)
    expect(phone_page.get_by_role("heading", name="This link does not work")).to_be_visible()
    phone_page.goto(link)
    phone_page.get_by_role("button", name="Yes, I agree").click()
    expect(phone_page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert current_consents(siti.pk)["marketing_email"].granted is True
    shot(phone_page, "double-opt-in-confirmed")


def test_export_my_data_as_a_file_and_a_summary(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    phone_page.get_by_role("link", name="Export").click()
    with phone_page.expect_download() as download:
        phone_page.get_by_role("link", name="Download my data (JSON)").click()
    assert download.value.suggested_filename.startswith("my-data-")
    assert '"custodian.export/1"' in Path(download.value.path()).read_text()
    phone_page.get_by_role("link", name="Open the printable summary").click()
    expect(phone_page.get_by_role("heading", name="Your data: summary")).to_be_visible()
    shot(phone_page, "export-summary")


def test_the_access_log_shows_who_looked(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    phone_page.get_by_role("link", name="Access log").first.click()
    expect(phone_page.get_by_role("cell", name="signed in")).to_be_visible()
    expect(phone_page.get_by_role("cell", name="You").first).to_be_visible()
    assert fits_the_screen(phone_page)
    shot(phone_page, "access-log")


def test_close_the_account_then_the_address_cannot_sign_in(phone_page, live_server, siti):
    sign_in(phone_page, live_server.url, siti.email)
    phone_page.get_by_role("link", name="Close my account").click()
    expect(phone_page.get_by_text("What stays, and why")).to_be_visible()
    shot(phone_page, "close-account")
    phone_page.get_by_role("button", name="Close my account and erase my data").click()
    expect(phone_page.get_by_role("alert")).to_be_visible()  # the box was not ticked
    phone_page.get_by_label(re.compile("I understand")).check()
    phone_page.get_by_role("button", name="Close my account and erase my data").click()
    expect(phone_page.locator("#certificate-id")).to_be_visible()
    assert ErasureRequest.objects.get().status == ErasureStatus.DONE
    shot(phone_page, "account-closed")
    mail.outbox.clear()
    phone_page.goto(live_server.url + "/portal/sign-in/")
    phone_page.get_by_label("Email address").fill(siti.email)
    phone_page.get_by_role("button", name="Email me a code").click()
    expect(phone_page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert mail.outbox == []


def test_focus_is_visible_and_the_language_switches(phone_page, live_server):
    phone_page.goto(live_server.url + "/portal/sign-in/")
    phone_page.get_by_label("Email address").focus()
    outline = phone_page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    phone_page.get_by_label("Language").select_option("id")
    phone_page.get_by_role("button", name="Change").click()
    expect(phone_page.locator("html")).to_have_attribute("lang", "id")
    expect(phone_page.get_by_role("heading", level=1)).not_to_have_text("Sign in to see your data")
    shot(phone_page, "sign-in-id")
