"""Call lists in Chromium (issue 27, item 4), in English and Bahasa Indonesia at 375
and 1280 px: two agents each take the next customer and get different people, then
record "do not call again" and "call back later". Screenshots go to
test-artifacts/call-lists/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from access.roles import Role
from campaigns.models import Campaign, Segment
from campaigns.services import start_send
from consent.selectors import has_consent
from tests.browser.steps import PASSWORD, screenshots, signed_in_page
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

shot = screenshots("call-lists")
WORDS = {
    "en": {
        "next": "Call the next customer",
        "record": "Record the call",
        "do_not_call": "Do not call again",
        "call_back": "Call back later",
        "recorded": "Call recorded.",
    },
    "id": {
        "next": "Telepon pelanggan berikutnya",
        "record": "Catat panggilan",
        "do_not_call": "Jangan telepon lagi",
        "call_back": "Telepon kembali nanti",
        "recorded": "Panggilan dicatat.",
    },
}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["en", "id"])
def test_two_agents_take_different_customers_and_record_outcomes(
    browser, live_server, make_staff, language, width
):
    customers = [
        CustomerFactory(consents={"account": True, "marketing_phone": True}) for _ in range(3)
    ]
    segment = Segment.objects.create(name="Phone", created_by="staff:1")
    campaign = Campaign.objects.create(
        name="Winter calls", segment=segment, channel="phone", holdout_percent=0,
        created_by="staff:1",
    )  # fmt: skip
    start_send(campaign_id=campaign.pk, actor="staff:1")
    make_staff(Role.SUPPORT_AGENT, username="ana", password=PASSWORD)
    make_staff(Role.SUPPORT_AGENT, username="budi", password=PASSWORD)
    words = WORDS[language]
    name = f"{language}-{width}"
    calls = f"{live_server.url}/dashboard/campaigns/{campaign.pk}/calls/"
    ana_context, ana = signed_in_page(browser, live_server, "ana", language, width)
    budi_context, budi = signed_in_page(browser, live_server, "budi", language, width)
    try:
        held = []
        for page in (ana, budi):
            page.goto(calls)
            page.get_by_role("button", name=words["next"]).click()
            link = page.locator("main a[href*='/dashboard/customers/']")
            expect(link).to_have_count(1)
            held.append(link.get_attribute("href"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert held[0] != held[1]
        shot(ana, f"{name}-01-ana-holds-a-call")
        shot(budi, f"{name}-02-budi-holds-another")

        ana.get_by_label(words["do_not_call"]).check()
        ana.get_by_role("button", name=words["record"]).click()
        expect(ana.get_by_role("status")).to_contain_text(words["recorded"])
        shot(ana, f"{name}-03-do-not-call-recorded")

        budi.get_by_label(words["call_back"]).check()
        later = timezone.localtime() + timedelta(days=1)
        budi.locator("input[name=call_back_at]").fill(later.strftime("%Y-%m-%dT%H:%M"))
        budi.get_by_role("button", name=words["record"]).click()
        expect(budi.get_by_role("status")).to_contain_text(words["recorded"])
        shot(budi, f"{name}-04-call-back-recorded")
    finally:
        ana_context.close()
        budi_context.close()

    withdrawn = [c for c in customers if not has_consent(c.pk, "marketing_phone")]
    assert len(withdrawn) == 1 and str(withdrawn[0].pk) in held[0]
    waiting = campaign.recipients.get(outcome="call_back")
    assert str(waiting.customer_id) in held[1] and waiting.status == "pending"
