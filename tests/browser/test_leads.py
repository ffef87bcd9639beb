"""Leads in Chromium: the capture form (ticks, honeypot, no tick) at 375 px, the import
report from the dashboard, and the board moving a deal. Screenshots under
test-artifacts/leads/."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from access.roles import Role
from leads import services
from leads.models import CaptureMethod, Deal, DealStage, Lead, LeadForm
from tests.browser.steps import PASSWORD, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


shot = screenshots("leads")


def fits(page: Page, width: int = 375) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_capture_form_with_its_honeypot_at_375_pixels(page: Page, live_server):
    LeadForm.objects.create(
        slug="newsletter",
        name="Our newsletter",
        source="website",
        purposes=["marketing_post", "marketing_email"],
    )
    page.set_viewport_size({"width": 375, "height": 800})
    url = f"{live_server.url}/forms/newsletter/"
    page.goto(url)
    assert fits(page)
    honeypot = page.locator("#id_website")
    assert honeypot.bounding_box()["x"] < 0  # off-screen for people
    shot(page, "01-form-mobile")

    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("we keep nothing")
    assert Lead.objects.count() == 0
    shot(page, "02-form-no-tick")

    page.get_by_label("Offers by post").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    lead = Lead.objects.get()
    assert list(lead.consents.values_list("purpose_id", flat=True)) == ["marketing_post"]

    page.goto(url)
    page.get_by_label("Email address").fill("bot@example.org")
    page.get_by_label("Offers by post").check()
    honeypot.fill("http://spam.example", force=True)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Lead.objects.count() == 1


def test_the_import_report_names_each_row(page: Page, live_server, make_staff):
    make_staff(Role.MARKETING, username="mo", password=PASSWORD)
    sign_in(page, live_server, "mo")
    page.goto(f"{live_server.url}/dashboard/leads/import/")
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "fair.csv",
                "mimeType": "text/csv",
                "buffer": b"email,full_name,consents,consent_at\n"
                b"one@example.org,One,marketing_post,2026-01-10\n"
                b"two@example.org,Two,,2026-01-10\n"
                b"ONE@example.org,One,analytics,2026-01-11\n",
            }
        ]
    )
    page.get_by_label("Source name").fill("fair-2026")
    page.get_by_label("Lawful basis of the list").select_option("consent")
    page.get_by_label("Dry run: check and report, store nothing").uncheck()
    page.get_by_role("button", name="Import").click()
    report = page.locator("section.report")
    expect(report.get_by_role("heading")).to_have_text("Import report")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(3)
    # A marketer may not look customers up: new, merged and customers' rows all read
    # "accepted" (issue 25 item 7); refused rows say why.
    expect(rows.nth(0)).to_contain_text("accepted")
    expect(rows.nth(1)).to_contain_text("refused")
    expect(rows.nth(1)).to_contain_text("No consent evidence")
    expect(rows.nth(2)).to_contain_text("accepted")
    expect(report).not_to_contain_text("example.org")
    assert Lead.objects.count() == 1
    shot(page, "03-import-report")


def test_the_board_moves_a_deal_and_works_at_375_pixels(page: Page, live_server, make_staff):
    lead = services.capture_lead(
        contact={"email": "board@example.org", "company": "Acme"},
        purposes=["marketing_post"],
        source="expo",
        method=CaptureMethod.IMPORT,
        channel="expo",
        actor="staff:1",
    ).lead
    deal = services.save_deal(actor="staff:1", title="Annual plan", value=Decimal("900"), lead=lead)
    make_staff(Role.MARKETING, username="mo", password=PASSWORD)
    sign_in(page, live_server, "mo")
    page.goto(f"{live_server.url}/dashboard/leads/pipeline/")
    column = page.locator("section.board-column", has=page.locator("#stage-prospecting"))
    expect(column).to_contain_text("Annual plan")
    page.get_by_label("Move to").select_option("proposal")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(
        page.locator("section.board-column", has=page.locator("#stage-proposal"))
    ).to_contain_text("Annual plan")
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.PROPOSAL
    shot(page, "04-board")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert fits(page)
    shot(page, "05-board-mobile")
