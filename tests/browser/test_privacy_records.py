"""Issue 27 items 9-12 in Chromium, in English and Bahasa Indonesia at 375 and 1280 px:
a privacy officer records a breach, reports it to the authority and prints it; prints
the records of processing; opens a printable erasure certificate. The idle sign-out
says why; the header fits one row at 1280 px for every role. Screenshots go under
test-artifacts/privacy-records/ (print views as the printer sees them)."""

import time
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone
from playwright.sync_api import Page, expect

from access.roles import Role
from dashboard.middleware import ACTIVE_COOKIE, ACTIVE_SALT
from disposal.models import Incident
from disposal.services import request_erasure, run_erasure
from tests.browser.steps import PASSWORD, language_page, screenshots, sign_in_by_ids
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

shot = screenshots("privacy-records")
MOMENT = "%Y-%m-%dT%H:%M"

WORDS = {
    "en": {
        "summary": "What happened",
        "discovered": "When it was discovered",
        "affected": "Number of customers affected",
        "hours_left": "hours left to tell the authority",
        "uu_pdp": "3 x 24 hours",
        "told": "Authority told in time",
        "print_heading": "Record of incident",
        "records": "Records of processing activities",
        "security": "Security measures",
        "certificate": "Erasure certificate",
        "profile": "Your profile",
        "idle": "You were signed out after 15 minutes without activity.",
    },
    "id": {
        "summary": "Apa yang terjadi",
        "discovered": "Kapan diketahui",
        "affected": "Jumlah pelanggan yang terdampak",
        "hours_left": "jam untuk memberi tahu otoritas",
        "uu_pdp": "3 x 24 jam",
        "told": "Otoritas diberi tahu tepat waktu",
        "print_heading": "Catatan insiden",
        "records": "Catatan kegiatan pemrosesan",
        "security": "Langkah keamanan",
        "certificate": "Sertifikat penghapusan",
        "profile": "Profil Anda",
        "idle": "Anda dikeluarkan setelah 15 menit tanpa aktivitas.",
    },
}
CODES = ("marketing_email", "legal_obligation", "data_subject_requests", "pseudonymized")


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_an_officer_records_reports_and_prints_an_incident_the_records_and_a_certificate(
    browser, live_server, make_staff, language, width
):
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    words, name = WORDS[language], f"{language}-{width}"
    discovered = timezone.localtime() - timedelta(hours=5)
    context, page = language_page(browser, live_server, language, width)
    try:
        sign_in_by_ids(page, live_server, "pia")
        page.goto(f"{live_server.url}/dashboard/privacy/incidents/new/")
        page.get_by_label(words["summary"]).fill("Mailing list sent to the wrong processor")
        page.get_by_label(words["discovered"]).fill(discovered.strftime(MOMENT))
        page.locator("input[name=categories][value=profile]").check()
        page.locator("input[name=categories][value=purchases]").check()
        page.get_by_label(words["affected"]).fill("120")
        assert fits_the_screen(page)
        shot(page, f"{name}-01-record-breach")
        page.locator("main form button[type=submit]").click()

        incident = Incident.objects.get()
        expect(page).to_have_url(f"{live_server.url}/dashboard/privacy/incidents/{incident.pk}/")
        facts = page.locator("main dl.facts")
        expect(facts).to_contain_text(words["hours_left"])
        expect(facts).to_contain_text(words["uu_pdp"])
        expect(facts).to_contain_text(words["profile"])
        assert fits_the_screen(page)
        shot(page, f"{name}-02-incident-clock")

        page.locator("select[name=recipient]").select_option("ministry")
        reported = timezone.localtime() - timedelta(hours=1)
        page.locator("input[name=reported_at]").fill(reported.strftime(MOMENT))
        page.locator("input[name=reference]").fill("PDP-2026-0042")
        page.locator("form[action$='/report/'] button").click()
        expect(page.locator("main dl.facts")).to_contain_text(words["told"])
        expect(page.locator("main table")).to_contain_text("PDP-2026-0042")
        shot(page, f"{name}-03-reported")

        page.goto(f"{live_server.url}/dashboard/privacy/incidents/{incident.pk}/print/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(words["print_heading"])
        page.emulate_media(media="print")
        expect(page.locator("header.top")).to_be_hidden()
        shot(page, f"{name}-04-incident-printed")
        page.emulate_media(media="screen")

        page.goto(f"{live_server.url}/dashboard/privacy/records/print/")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["records"])
        expect(page.locator("main")).to_contain_text(words["security"])
        text = page.locator("main").inner_text()
        assert not [code for code in CODES if code in text]
        page.emulate_media(media="print")
        shot(page, f"{name}-05-records-printed")
        assert fits_the_screen(page)
        page.emulate_media(media="screen")

        customer = CustomerFactory()
        erasure = request_erasure(customer_id=customer.pk, source="staff", actor="system")
        run_erasure(request_id=erasure.pk)
        page.goto(f"{live_server.url}/dashboard/privacy/erasures/{erasure.pk}/")
        page.locator(f"a[href$='/erasures/{erasure.pk}/certificate/']").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["certificate"])
        expect(page.locator("main table")).to_contain_text(words["profile"])
        text = page.locator("main").inner_text()
        assert not [code for code in CODES if code in text]
        assert fits_the_screen(page)
        page.emulate_media(media="print")
        shot(page, f"{name}-06-certificate-printed")
    finally:
        context.close()


def _stale_marker() -> str:
    response = HttpResponse()
    response.set_signed_cookie(ACTIVE_COOKIE, str(int(time.time()) - 16 * 60), salt=ACTIVE_SALT)
    return response.cookies[ACTIVE_COOKIE].value


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_the_idle_sign_out_says_why_after_the_session_cookie_expired(
    browser, live_server, make_staff, language, width
):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    context, page = language_page(browser, live_server, language, width)
    try:
        sign_in_by_ids(page, live_server, "sam")
        names = {cookie["name"] for cookie in context.cookies()}
        assert ACTIVE_COOKIE in names
        # Fifteen minutes later the browser has dropped the session cookie (it expired
        # with the session) and still holds the activity marker.
        context.clear_cookies()
        context.add_cookies(
            [
                {"name": "django_language", "value": language, "url": live_server.url},
                {
                    "name": ACTIVE_COOKIE,
                    "value": _stale_marker(),
                    "url": f"{live_server.url}/dashboard/",
                },
            ]
        )
        page.goto(f"{live_server.url}/dashboard/service/")
        expect(page.locator(".messages")).to_have_text(WORDS[language]["idle"])
        expect(page).to_have_url(
            f"{live_server.url}/dashboard/sign-in/?idle=1&next=%2Fdashboard%2Fservice%2F"
        )
        assert fits_the_screen(page)
        shot(page, f"{language}-{width}-07-idle-signed-out")
        page.goto(f"{live_server.url}/dashboard/service/")  # the marker is gone: said once
        expect(page).to_have_url(f"{live_server.url}/dashboard/sign-in/?next=/dashboard/service/")
        expect(page.locator(".messages")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_header_fits_one_row_at_1280_px_for_every_role(
    browser, live_server, make_staff, language
):
    context, page = language_page(browser, live_server, language, 1280)
    try:
        for role in Role:
            username = f"head-{role.value}".replace("_", "-")[:30]
            make_staff(role, username=username, password=PASSWORD)
            page.context.clear_cookies()
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            sign_in_by_ids(page, live_server, username)
            page.goto(f"{live_server.url}/dashboard/")
            nav = page.evaluate(
                """() => {
                const nav = document.querySelector('header .nav');
                const item = nav && nav.querySelector('li');
                const row = document.querySelector('header .top-row');
                const tops = [...row.children]
                  .filter(child => child.offsetParent !== null)
                  .map(child => child.getBoundingClientRect());
                return {
                  nav: nav ? nav.getBoundingClientRect().height : 0,
                  line: item ? item.getBoundingClientRect().height : 0,
                  spread: Math.max(...tops.map(box => box.top + box.height / 2))
                    - Math.min(...tops.map(box => box.top + box.height / 2)),
                };
            }"""
            )
            shot(page, f"{language}-1280-08-header-{role.value}")
            assert nav["nav"] == nav["line"], (role, nav)
            assert nav["spread"] < 8, (role, nav)  # brand, menu, user and language in a row
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_an_access_request_is_handed_over_as_the_portals_readable_summary(
    browser, live_server, make_staff, language, width
):
    from privacy.models import RequestChannel, RequestKind
    from privacy.services import complete_access, open_request, verify_requester

    customer = CustomerFactory()
    request = open_request(
        customer=customer, kind=RequestKind.ACCESS, channel=RequestChannel.POST, actor="x"
    )
    verify_requester(request=request, method="id_document", actor="x")
    complete_access(request=request, actor="x")
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    heading = {"en": "Your data: summary", "id": "Data Anda: ringkasan"}[language]
    context, page = language_page(browser, live_server, language, width)
    try:
        sign_in_by_ids(page, live_server, "pia")
        page.goto(f"{live_server.url}/dashboard/privacy/requests/{request.pk}/")
        page.locator(f"form[action$='/requests/{request.pk}/summary/'] button").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("main")).to_contain_text(WORDS[language]["profile"])
        expect(page.locator("main")).to_contain_text(customer.email)
        page.emulate_media(media="print")
        expect(page.locator("header.top")).to_be_hidden()
        shot(page, f"{language}-{width}-09-access-summary-printed")
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_metrics_charts_span_the_page_width(browser, live_server, make_staff, width):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    context, page = language_page(browser, live_server, "en", width)
    try:
        sign_in_by_ids(page, live_server, "sam")
        page.goto(f"{live_server.url}/dashboard/metrics/")
        sizes = page.evaluate(
            """() => {
            const figure = document.querySelector('figure.chart');
            const image = figure.querySelector('img');
            return [image.getBoundingClientRect().width, figure.getBoundingClientRect().width];
        }"""
        )
        assert abs(sizes[0] - sizes[1]) <= 2, sizes
        assert fits_the_screen(page)
        shot(page, f"en-{width}-10-metrics")
    finally:
        context.close()
