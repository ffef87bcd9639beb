"""The staff dashboard in Chromium, as each role uses it: sign-in and lockout, search by
email and phone to a masked 360 view, reveal with a purpose (audited), an agent denied,
the privacy desk completing an access request and running an erasure to done, metrics.
Each test saves a screenshot under test-artifacts/dashboard/."""

import pytest
from playwright.sync_api import Page, expect

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from dashboard.charts import CHARTS
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind, RequestStatus
from privacy.services import open_request
from tests.browser.steps import PASSWORD, screenshots, sign_in
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

EMAIL = "ada.lovelace@example.com"
PHONE = "+44 20 7946 0321"


shot = screenshots("dashboard")


@pytest.fixture
def ada():
    return CustomerFactory(email=EMAIL, full_name="Ada Lovelace", phone=PHONE)


def test_sign_in_and_lockout_after_repeated_failures(page: Page, live_server, make_staff):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    sign_in(page, live_server, "sam", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    for _ in range(4):
        sign_in(page, live_server, "sam", "still-wrong")
    sign_in(page, live_server, "sam")
    expect(page.get_by_role("heading", level=1)).to_have_text("This account is locked for now")
    expect(page.locator("main")).to_contain_text("axes_reset_username")
    shot(page, "01-lockout")

    make_staff(Role.MARKETING, username="mo", password=PASSWORD)
    sign_in(page, live_server, "mo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed in as Marketing")
    shot(page, "02-signed-in")


def test_search_by_email_and_phone_opens_the_masked_360_view(
    page: Page, live_server, make_staff, ada
):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    sign_in(page, live_server, "sam")
    page.get_by_role("link", name="Customers").first.click()
    page.get_by_label("Email, phone, external id, order number or name").fill(EMAIL)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/customers/{ada.pk}/")
    expect(page.locator('dd[data-field="email"]')).to_have_text("a***@example.com")
    expect(page.locator("main")).not_to_contain_text("Lovelace")
    shot(page, "03-360-masked")

    page.get_by_role("link", name="Customers").first.click()
    page.get_by_label("Email, phone, external id, order number or name").fill(PHONE)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/customers/{ada.pk}/")
    expect(page.locator('dd[data-field="phone"]')).to_have_text("***21")
    assert "@" not in page.url and "7946" not in page.url


def test_a_reveal_with_a_purpose_shows_the_field_and_audits_the_purpose(
    page: Page, live_server, make_staff, ada
):
    officer = make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    sign_in(page, live_server, "pia")
    page.goto(f"{live_server.url}/dashboard/customers/{ada.pk}/")
    page.get_by_text("Reveal details").click()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Another reason, typed below (break-glass: flagged for review)").check()
    page.get_by_label("Reason", exact=True).fill("Customer asked us to confirm the address we hold")
    page.get_by_role("button", name="Reveal", exact=True).click()
    expect(page.locator('dd[data-field="email"]')).to_contain_text(EMAIL)
    shot(page, "04-revealed")
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_REVEALED, subject_id=ada.pk)
    assert event.actor == f"staff:{officer.pk}" and event.purpose.startswith("reason:")
    page.reload()
    expect(page.locator('dd[data-field="email"]')).to_have_text("a***@example.com")


def test_an_agent_without_an_assigned_request_is_denied(page: Page, live_server, make_staff, ada):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/dashboard/customers/{ada.pk}/")
    page.get_by_text("Reveal details").click()
    expect(page.locator("details.reveal")).to_contain_text("no ticket or request")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Another reason, typed below (break-glass: flagged for review)").check()
    page.get_by_label("Reason", exact=True).fill("Just curious about this customer")
    page.get_by_role("button", name="Reveal", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("assigned to you")
    expect(page.locator('dd[data-field="phone"]')).to_have_text("***21")
    shot(page, "05-agent-denied")
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_REVEALED).exists()


def test_a_privacy_officer_completes_an_access_request_and_runs_an_erasure(
    page: Page, live_server, make_staff, ada
):
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    access = open_request(
        customer=ada, kind=RequestKind.ACCESS, channel=RequestChannel.EMAIL, actor="system"
    )
    erasure = open_request(
        customer=ada, kind=RequestKind.ERASURE, channel=RequestChannel.PORTAL, actor="system"
    )
    sign_in(page, live_server, "pia")
    page.get_by_role("link", name="Privacy desk").first.click()
    expect(page.locator("tbody tr")).to_have_count(2)
    shot(page, "06-privacy-queue")

    page.get_by_role("link", name=access.short_id).click()
    page.get_by_label("How did you verify the requester?").select_option("id_document")
    page.get_by_role("button", name="Mark as verified").click()
    expect(page.locator("main")).to_contain_text("Requester verified.")
    page.get_by_role("button", name="Complete the access request").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export (JSON)").click()
    assert download.value.suggested_filename == f"export-{access.short_id}.json"
    shot(page, "07-access-done")

    page.goto(f"{live_server.url}/dashboard/privacy/requests/{erasure.pk}/")
    page.get_by_label("How did you verify the requester?").select_option("portal_sign_in")
    page.get_by_role("button", name="Mark as verified").click()
    page.get_by_role("button", name="Start the erasure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start the erasure?")
    page.get_by_role("button", name="Start the erasure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erasure")
    expect(page.locator("p.status")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.locator("main")).to_contain_text("Certificate")
    shot(page, "08-erasure-done")
    page.get_by_role("link", name="Back to the request").click()
    page.get_by_role("button", name="Close the request").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done")
    assert DataSubjectRequest.objects.get(pk=erasure.pk).status == RequestStatus.DONE


def test_the_metrics_page_renders_its_charts(page: Page, live_server, make_staff, ada):
    make_staff(Role.MARKETING, username="mo", password=PASSWORD)
    sign_in(page, live_server, "mo")
    page.get_by_role("link", name="Metrics").first.click()
    images = page.locator("figure.chart img")
    expect(images).to_have_count(len(CHARTS))
    # Each chart loads as an image (under its own sandboxed policy). Checked per image:
    # wait_for_function compiles its string with eval, which the page's CSP forbids.
    for index in range(len(CHARTS)):
        image = images.nth(index)
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    shot(page, "09-metrics")


def test_the_360_view_works_at_375_pixels(page: Page, live_server, make_staff, ada):
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, "pia")
    page.goto(f"{live_server.url}/dashboard/customers/{ada.pk}/")
    expect(page.locator('dd[data-field="email"]')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    shot(page, "10-360-mobile")
