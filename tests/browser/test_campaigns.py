"""A marketer's day in Chromium at 375 px: build a segment and see the count leave out
customers without consent (and restricted ones) by reason, save it, send an email
campaign, read it in the test outbox, and follow its unsubscribe link to withdraw.
Screenshots go to test-artifacts/campaigns/."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from access.roles import Role
from consent.selectors import has_consent
from customers.restriction import restrict_processing
from tests.browser.steps import screenshots
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PASSWORD = "correct-horse-battery-staple"
MARKETING = {"account": True, "personalization": True, "marketing_email": True}


shot = screenshots("campaigns")


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_marketer_builds_a_segment_sends_an_email_and_the_link_unsubscribes(
    page: Page, live_server, make_staff, settings
):
    settings.PUBLIC_URL = live_server.url
    reached = [CustomerFactory(consents=MARKETING) for _ in range(2)]
    CustomerFactory()  # no marketing consent
    restrict_processing(customer=CustomerFactory(consents=MARKETING), actor="staff:1")
    make_staff(Role.MARKETING, username="mo", password=PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill("mo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("link", name="New segment").click()
    page.get_by_label("Name", exact=True).fill("Everyone by email")
    page.get_by_role("button", name="Count").click()
    expect(page.locator("#count-matched")).to_have_text("4")
    expect(page.locator("#count-eligible")).to_have_text("2")
    expect(page.locator(".reasons")).to_contain_text("No consent for the channel: 1")
    expect(page.locator(".reasons")).to_contain_text("Processing restricted: 1")
    fits(page)
    shot(page, "01-segment-count")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("status")).to_contain_text("Segment saved.")

    page.get_by_role("link", name="New campaign to this segment").click()
    page.get_by_label("Name", exact=True).fill("Autumn books")
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Email subject").fill("Autumn reading")
    page.get_by_label("Message").fill("Hello.\n\nNew books are in.")
    page.get_by_label("Hold-out share (%)").fill("0")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#count-eligible")).to_have_text("2")
    fits(page)
    shot(page, "02-campaign-draft")
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send this campaign?")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#campaign-status")).to_have_text("Sent")
    expect(page.locator("#count-sent")).to_have_text("2")
    fits(page)
    shot(page, "03-campaign-sent")

    assert sorted(message.to[0] for message in mail.outbox) == sorted(c.email for c in reached)
    message = next(m for m in mail.outbox if m.to == [reached[0].email])
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"(http://\S+/portal/unsubscribe/\S+/)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    assert has_consent(reached[0].pk, "marketing_email")  # opening the link changes nothing
    page.get_by_role("button", name="Yes, unsubscribe me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    fits(page)
    shot(page, "04-unsubscribed")
    assert not has_consent(reached[0].pk, "marketing_email")
    assert has_consent(reached[1].pk, "marketing_email")


def test_an_agent_works_a_phone_call_list_revealing_the_number_for_the_call(
    page: Page, live_server, make_staff
):
    from audit.models import AuditAction, AuditEvent
    from campaigns.models import Campaign, Segment
    from campaigns.services import start_send

    callee = CustomerFactory(
        phone="+44 20 7946 0321", consents={"account": True, "marketing_phone": True}
    )
    segment = Segment.objects.create(name="Phone", created_by="staff:1")
    campaign = Campaign.objects.create(
        name="Winter calls", segment=segment, channel="phone", holdout_percent=0,
        created_by="staff:1",
    )  # fmt: skip
    start_send(campaign_id=campaign.pk, actor="staff:1")
    agent = make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Winter calls").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Call list: Winter calls")
    page.get_by_role("button", name="Call the next customer").click()
    fits(page)
    shot(page, "05-call-list")
    page.get_by_role("link", name=str(callee.pk)[:8]).click()
    page.get_by_text("Reveal details").click()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Call for campaign Winter calls").check()
    page.get_by_role("button", name="Reveal", exact=True).click()
    expect(page.locator('dd[data-field="phone"]')).to_contain_text("7946")
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_REVEALED, subject_id=callee.pk)
    assert event.actor == f"staff:{agent.pk}" and event.purpose.startswith("call:")

    page.goto(f"{live_server.url}/dashboard/campaigns/{campaign.pk}/calls/")
    page.get_by_label("Talked about the offers").check()
    page.get_by_role("button", name="Record the call").click()
    expect(page.get_by_role("status")).to_contain_text("Call recorded.")
    expect(page.locator("main")).to_contain_text("This call list is finished.")
    shot(page, "06-call-recorded")
