"""Issue 26, items 1-3 in a browser: a customer with every kind of data (purchases and
a return, a ticket and a call, data shared with a processor, a staff reveal with its
reason, a request about their data, a history from the lead form) reads "My data" and
the printable summary in English and Bahasa Indonesia: no model names, no codes, no ISO
times, no retention in raw days; the summary fits A4 portrait when printed. Screenshots
at 375 and 1280 px, and the PDFs, in test-artifacts/portal-words/."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from access.roles import Role
from access.services import reveal_fields
from customers.models import InteractionChannel
from customers.services import PurchaseLine, record_interaction, record_purchases, record_return
from disposal.models import Processor
from disposal.processors import disclose, save_processor
from leads import services as leads
from leads.models import CaptureMethod, LeadStatus
from privacy.models import RequestChannel, RequestKind
from privacy.services import open_request
from service.services import open_ticket
from tests.browser import test_portal
from tests.browser.steps import ARTIFACTS, screenshots
from tests.browser.test_portal import sign_in
from tests.factories import ProductFactory

phone_page = test_portal.phone_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SIZES = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}
# A4 portrait is 210 mm wide; the print stylesheet's 15 mm margins leave 180 mm = 680 px.
A4_PRINTABLE_PX = 680
shot = screenshots("portal-words")

MODEL_NAME = re.compile(r"\b[a-z]{2,}\.[a-z]{2,}\b")  # audit.auditevent, customers.purchase
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # marketing_email, product__sku
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?")
DAYS = re.compile(r"(\d[\d.,]*)\s*(days?|hari)\b", re.I)
EMAIL = re.compile(r"\S+@\S+")


@pytest.fixture
def dewi(make_staff):
    """A customer who came through the lead form and has every kind of data."""
    capture = leads.capture_lead(
        contact={"email": "dewi@example.com", "full_name": "Dewi Lestari"},
        purposes=["personalization", "analytics"],
        source="site",
        method=CaptureMethod.FORM,
        channel="newsletter",
        actor="anonymous",
    )
    leads.set_lead_status(lead=capture.lead, status=LeadStatus.QUALIFIED, actor="staff:1")
    customer = leads.convert_lead(lead=capture.lead, actor="staff:1", account_agreed=True)
    for sku, name in [("T", "Green tea"), ("P", "Teapot"), ("C", "Tea cups")]:
        ProductFactory(sku=sku, name=name, category="kitchen")
    bought = timezone.now() - timedelta(days=10)
    record_purchases(
        lines=[
            PurchaseLine(customer.pk, "o-1", "T", 2, Decimal("4.50"), bought),
            PurchaseLine(customer.pk, "o-1", "P", 1, Decimal("57.13"), bought),
            PurchaseLine(customer.pk, "o-2", "C", 6, Decimal("1234.50"), bought),
        ],
        actor="system",
    )
    record_return(
        order_id="o-2", sku="C", quantity=2, returned_at=timezone.now() - timedelta(days=2),
        actor="system",
    )  # fmt: skip
    record_interaction(
        customer=customer, channel=InteractionChannel.PHONE, note="Asked about delivery",
        actor="system",
    )  # fmt: skip
    open_ticket(customer=customer, channel="email", subject="The teapot leaks", actor="staff:1")
    processor = save_processor(
        processor=Processor(name="Parcel Co", agreement_reference="DPA-1",
                            agreement_signed_on="2026-01-01", categories=["profile"],
                            webhook_url="https://parcel.example/hook"),
        webhook_secret="s",
    )  # fmt: skip
    disclose(processor=processor, customer_id=customer.pk, categories=["profile"], actor="system")
    reveal_fields(
        user=make_staff(Role.PRIVACY_OFFICER),
        customer_id=customer.pk,
        fields=["phone"],
        purpose_kind="reason",
        reason="Checking a returned parcel with the courier",
    )
    open_request(
        customer=customer, kind=RequestKind.ACCESS, channel=RequestChannel.EMAIL,
        actor="staff:1",
    )  # fmt: skip
    return customer


def visible_text(page: Page, customer) -> str:
    """The page's visible words without the customer's own data (their email address)."""
    text = page.locator("main").inner_text()
    return EMAIL.sub(" ", text.replace(customer.email, " "))


def assert_reads_plainly(page: Page, customer, where: str) -> None:
    text = visible_text(page, customer)
    assert not MODEL_NAME.findall(text), (where, MODEL_NAME.findall(text))
    assert not SNAKE_CASE.findall(text), (where, SNAKE_CASE.findall(text))
    assert not ISO_TIME.findall(text), (where, ISO_TIME.findall(text))
    raw_days = [m.group(0) for m in DAYS.finditer(text) if int(re.sub(r"\D", "", m.group(1))) > 60]
    assert not raw_days, (where, raw_days)
    assert "True" not in text.split() and "False" not in text.split(), where


def set_language(page: Page, base: str, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )


def tables_fit_a4(page: Page, name: str) -> list[tuple[str, float]]:
    """The widths of the tables (and of the page) that are wider than A4's printable
    width when the page is laid out for print at that width (screenshot `name`)."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
    too_wide = page.evaluate(
        """limit => [...document.querySelectorAll('table'), document.documentElement]
             .map(el => [el.tagName, Math.max(el.scrollWidth, el.getBoundingClientRect().width)])
             .filter(([, width]) => width > limit + 0.5)""",
        A4_PRINTABLE_PX,
    )
    widest = page.evaluate(
        "Math.max(0, ...[...document.querySelectorAll('table')]"
        ".map(el => el.getBoundingClientRect().width))"
    )
    with (ARTIFACTS / "portal-words" / "a4-widths.txt").open("a") as figures:
        figures.write(f"{name}: widest table {widest:.0f} px of {A4_PRINTABLE_PX} px\n")
    shot(page, name)
    page.emulate_media(media="screen")
    return too_wide


def test_my_data_and_the_summary_read_plainly_in_both_languages_and_print_on_a4(
    phone_page, live_server, dewi
):
    base = live_server.url
    (ARTIFACTS / "portal-words" / "a4-widths.txt").unlink(missing_ok=True)
    sign_in(phone_page, base, dewi.email)
    phone_page.goto(base + "/portal/recommendations/")
    for language in ("en-gb", "id"):
        set_language(phone_page, base, language)
        for path, name in (("/portal/my-data/", "my-data"), ("/portal/export/summary/", "summary")):
            for size, viewport in SIZES.items():
                phone_page.set_viewport_size(viewport)
                phone_page.goto(base + path)
                assert phone_page.locator("html").get_attribute("lang") == language
                assert_reads_plainly(phone_page, dewi, f"{name} {language} {size}")
                shot(phone_page, f"{name}-{language}-{size}")
                if size == "1280":  # the first screen, as README shows it
                    phone_page.screenshot(
                        path=str(ARTIFACTS / "portal-words" / f"{name}-{language}-top.png")
                    )
        ARTIFACTS.joinpath("portal-words").mkdir(parents=True, exist_ok=True)
        too_wide = tables_fit_a4(phone_page, f"summary-print-{language}")
        assert not too_wide, too_wide
        ARTIFACTS.joinpath("portal-words").mkdir(parents=True, exist_ok=True)
        pdf = phone_page.pdf(
            path=str(ARTIFACTS / "portal-words" / f"summary-{language}.pdf"),
            format="A4",
            prefer_css_page_size=True,
        )
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1


def test_my_data_groups_by_meaning_and_names_things_once(phone_page, live_server, dewi):
    base = live_server.url
    sign_in(phone_page, base, dewi.email)
    main = phone_page.locator("main")
    for heading in (
        "Your profile",
        "Your purchases",
        "Your choices",
        "Your conversations with our service team",
        "Who we shared data with",
        "Requests you made",
        "Records we keep to run the service safely",
    ):
        expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    text = main.inner_text()
    # Prices with the shop's currency; the return; plain retention; the vocabulary's names.
    assert "€57.13" in text and "€1,234.50" in text and "2 returned" in text
    assert "6 years" in text and "3 years" in text
    assert "Personal suggestions" in text and "Statistics" in text
    assert "Personal recommendations" not in text and "Service analytics" not in text
    assert "Parcel Co: Your profile" in text
    assert "See your data" in text  # the request's kind, in the customer's words
    assert "reason a staff member wrote down" in text
    # Empty categories are not shown: Dewi has no offers sent and no first-contact rows.
    assert "Offers we sent you" not in text

    set_language(phone_page, base, "id")
    phone_page.goto(base + "/portal/export/summary/")
    summary = phone_page.locator("main").inner_text()
    assert "€57,13" in summary and "Saran pribadi" in summary
    assert "Catatan yang kami simpan agar layanan berjalan aman" in summary
