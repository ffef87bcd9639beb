"""A sales user's job in Chromium (issue 27, item 5), in English and Bahasa Indonesia at
375 and 1280 px: add a lead by hand with the evidence of what the person agreed to,
write a note, open a deal, and move it on the pipeline, which shows the lead's name and
company. Screenshots go to test-artifacts/leads-by-hand/."""

import re

import pytest
from playwright.sync_api import expect

from access.roles import Role
from leads.models import Deal, DealStage, Lead, LeadNote
from tests.browser.steps import PASSWORD, screenshots, signed_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

shot = screenshots("leads-by-hand")
WORDS = {
    "en": {
        "add": "Add the lead",
        "added": "Lead added.",
        "note": "Add the note",
        "noted": "Note added.",
        "deal": "Open a deal",
        "pipeline": "Pipeline",
        "move": "Move",
        "moved": "Deal moved.",
        "agreed": "In person · Notice read out",
    },
    "id": {
        "add": "Tambahkan prospek",
        "added": "Prospek ditambahkan.",
        "note": "Tambahkan catatan",
        "noted": "Catatan ditambahkan.",
        "deal": "Buka kesepakatan",
        "pipeline": "Alur penjualan",
        "move": "Pindahkan",
        "moved": "Kesepakatan dipindahkan.",
        "agreed": "Langsung · Pemberitahuan dibacakan",
    },
}


def fits(page, width) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_a_sales_user_adds_a_lead_and_moves_its_deal_on_the_pipeline(
    browser, live_server, make_staff, language, width
):
    make_staff(Role.MARKETING, username="sinta", password=PASSWORD)
    words = WORDS[language]
    name = f"{language}-{width}"
    context, page = signed_in_page(browser, live_server, "sinta", language, width)
    try:
        page.goto(f"{live_server.url}/dashboard/leads/new/")
        expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{language}"))
        page.fill("#id_full_name", "Rina Wijaya")
        page.fill("#id_company", "Toko Buku Rina")
        page.fill("#id_email", "rina@example.id")
        page.fill("#id_phone", "+62 812 3456 7890")
        page.fill("#id_source", "expo-2026")
        page.check("input[name=purposes][value=marketing_post]")
        page.select_option("#id_agreed_by", "in_person")
        page.check("input[name=notice][value=read_out]")
        page.fill("#id_next_step", "Kirim daftar harga" if language == "id" else "Send prices")
        page.fill("#id_next_step_on", "2026-12-20")
        fits(page, width)
        shot(page, f"{name}-01-add-a-lead")
        page.get_by_role("button", name=words["add"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["added"])
        expect(page.get_by_role("heading", level=1)).to_contain_text("Rina Wijaya")
        expect(page.get_by_role("main")).to_contain_text(words["agreed"])
        expect(page.locator("#lead-owner")).to_have_text("sinta")

        page.fill("#id_body", "Wants 40 copies for the school")
        page.get_by_role("button", name=words["note"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["noted"])
        expect(page.locator("#timeline")).to_contain_text("Wants 40 copies")
        expect(page.locator("#timeline")).to_contain_text("sinta")
        fits(page, width)
        shot(page, f"{name}-02-lead-with-note-and-timeline")

        page.fill("#id_title", "School order")
        page.fill("#id_value", "1200")
        page.get_by_role("button", name=words["deal"]).click()
        page.locator(".subnav").get_by_role("link", name=words["pipeline"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["pipeline"])
        deal = page.locator(".deal", has_text="School order")
        expect(deal).to_contain_text("Rina Wijaya")
        expect(deal).to_contain_text("Toko Buku Rina")
        deal.locator("select[name=stage]").select_option("proposal")
        deal.get_by_role("button", name=words["move"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["moved"])
        fits(page, width)
        shot(page, f"{name}-03-pipeline-deal-moved")
    finally:
        context.close()

    lead = Lead.objects.get()
    assert lead.full_name == "Rina Wijaya" and lead.owner.username == "sinta"
    assert LeadNote.objects.filter(lead=lead).count() == 1
    assert Deal.objects.get().stage == DealStage.PROPOSAL
