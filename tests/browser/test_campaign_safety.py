"""A marketer's safety net in Chromium (issue 27, item 6), in English and Bahasa
Indonesia at 375 and 1280 px: preview the message as two recipients get it (offers,
address masked), send a test to one's own address, schedule the campaign after a
confirmation that states how many will be emailed, held out and left out; beat sends it
when due. Screenshots go to test-artifacts/campaign-safety/."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from access.roles import Role
from campaigns.models import Campaign, CampaignStatus, Segment
from campaigns.tasks import start_due_campaigns
from tests.browser.steps import PASSWORD, screenshots
from tests.browser.test_leads_by_hand import fits, signed_in_page
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

shot = screenshots("campaign-safety")
MARKETING = {"account": True, "personalization": True, "marketing_email": True}
WORDS = {
    "en": {
        "preview": "Preview the message as a recipient gets it",
        "of": "As recipient 2 of 10",
        "test": "Send this as a test to me",
        "tested": "A test was sent to your own address",
        "schedule": "Schedule",
        "ask": "Schedule this campaign?",
        "emailed": "Will be emailed",
        "held": "Held out (not contacted, to measure the effect)",
        "left": "Left out",
        "scheduled": "Scheduled",
    },
    "id": {
        "preview": "Pratinjau pesan seperti yang diterima penerima",
        "of": "Seperti yang diterima penerima 2 dari 10",
        "test": "Kirim ini sebagai uji ke saya",
        "tested": "Pesan uji dikirim ke alamat Anda sendiri",
        "schedule": "Jadwalkan",
        "ask": "Jadwalkan kampanye ini?",
        "emailed": "Akan dikirimi email",
        "held": "Disisihkan (tidak dihubungi, untuk mengukur dampaknya)",
        "left": "Dikecualikan",
        "scheduled": "Terjadwal",
    },
}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_a_marketer_previews_test_sends_and_schedules_a_campaign(
    browser, live_server, make_staff, settings, language, width
):
    settings.PUBLIC_URL = "https://crm.shop.example"
    reached = [CustomerFactory(consents=MARKETING) for _ in range(10)]
    CustomerFactory(consents={"account": True})  # no consent: left out
    segment = Segment.objects.create(name="Everyone", created_by="staff:1")
    campaign = Campaign.objects.create(
        name="Autumn books", segment=segment, channel="email", subject="Autumn reading",
        body="Hello.\n\nNew books are in.", holdout_percent=20, created_by="staff:1",
    )  # fmt: skip
    make_staff(Role.MARKETING, username="mira", password=PASSWORD, email="mira@shop.example")
    words = WORDS[language]
    name = f"{language}-{width}"
    context, page = signed_in_page(browser, live_server, "mira", language, width)
    try:
        page.goto(f"{live_server.url}/dashboard/campaigns/{campaign.pk}/")
        if language == "id":
            # Django admin's catalogue says "None" for "None": the page asks in context.
            expect(page.get_by_role("main")).not_to_contain_text("None")
        fits(page, width)
        shot(page, f"{name}-01-draft")
        page.get_by_role("link", name=words["preview"]).click()
        page.fill("#id_n", "2")
        page.locator("form.filters button[type=submit]").click()
        expect(page.get_by_role("main")).to_contain_text(words["of"])
        expect(page.locator("#preview-text")).to_contain_text("New books are in.")
        expect(page.locator("#preview-to")).to_contain_text("*")
        for customer in reached:
            expect(page.get_by_role("main")).not_to_contain_text(customer.email)
        fits(page, width)
        shot(page, f"{name}-02-preview")

        page.get_by_role("button", name=words["test"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["tested"])
        assert [message.to for message in mail.outbox] == [["mira@shop.example"]]
        shot(page, f"{name}-03-test-sent")

        page.goto(f"{live_server.url}/dashboard/campaigns/{campaign.pk}/")
        later = timezone.localtime() + timedelta(days=1)
        page.fill("input[name=send_at]", later.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name=words["schedule"], exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["ask"])
        facts = page.locator("#confirm-facts")
        expect(facts).to_contain_text(words["emailed"])
        expect(facts.locator("dd").nth(1)).to_have_text("8")
        expect(facts.locator("dd").nth(2)).to_have_text("2")
        expect(facts.locator("dd").nth(3)).to_contain_text("1")
        expect(facts).to_contain_text(words["held"])
        expect(facts).to_contain_text(words["left"])
        assert len(mail.outbox) == 1  # still only the test
        fits(page, width)
        shot(page, f"{name}-04-confirm-with-counts")
        page.locator("form.confirm-actions button[type=submit]").click()
        expect(page.locator("#campaign-status")).to_have_text(words["scheduled"])
        fits(page, width)
        shot(page, f"{name}-05-scheduled")
    finally:
        context.close()

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    assert start_due_campaigns() == 1
    sent_to = sorted(message.to[0] for message in mail.outbox[1:])
    assert len(sent_to) == 8 and set(sent_to) <= {customer.email for customer in reached}
