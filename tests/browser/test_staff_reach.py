"""Issue 25 item 1 in Chromium, as a support agent meets it: a ticket the agent opened for
themselves leaves the customer masked and offers no purpose (a reveal without a typed
break-glass reason is refused); a ticket the customer started, taken from the queue,
reveals; a call-list entry reveals name and phone, never the email. Screenshots go to
test-artifacts/reach/."""

import pytest
from playwright.sync_api import Page, expect

from access.roles import Role
from audit.actors import CUSTOMER
from audit.models import AuditAction, AuditEvent
from campaigns.models import Campaign, Segment
from campaigns.services import start_send
from service import services
from service.models import Ticket
from tests.browser.steps import PASSWORD, screenshots, sign_in
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


shot = screenshots("reach")


def open_reveal(page: Page, fields: list[str], purpose: str) -> None:
    page.locator("details.reveal summary").click()
    for field in fields:
        page.locator(f'input[name="fields_to_reveal"][value="{field}"]').check()
    page.locator(f'input[name="purpose"][value="{purpose}"]').check()
    page.get_by_role("button", name="Reveal").click()


def test_an_agent_reveals_only_for_work_someone_else_started_and_what_it_needs(
    page: Page, live_server, make_staff
):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    anyone = CustomerFactory(
        email="ann@example.com", full_name="Ann Other", phone="+44 20 7946 0111"
    )
    writer = CustomerFactory(
        email="wes@example.com", full_name="Wes Writer", phone="+44 20 7946 0222"
    )
    callee = CustomerFactory(
        email="cal@example.com",
        full_name="Cal Callee",
        phone="+44 20 7946 0333",
        consents={
            "account": True,
            "marketing_email": False,
            "marketing_post": False,
            "marketing_phone": True,
        },
    )
    sign_in(page, live_server, "sam")

    # 1. A ticket the agent opens for themselves ("Assign to me" is ticked): still masked.
    page.goto(f"{live_server.url}/dashboard/service/customers/{anyone.pk}/")
    expect(page.get_by_label("Assign to me")).to_be_checked()
    page.get_by_label("Topic").select_option("delivery")
    page.get_by_label("Subject").fill("Parcel missing")
    page.get_by_role("button", name="Open the ticket").click()
    own = Ticket.objects.get(customer=anyone)
    expect(page.locator("main")).not_to_contain_text("Parcel missing")
    page.goto(f"{live_server.url}/dashboard/customers/{anyone.pk}/")
    expect(page.locator("[data-self-made]")).to_be_visible()
    assert page.locator(f'input[name="purpose"][value="ticket:{own.pk}"]').count() == 0
    open_reveal(page, ["name", "email"], "reason:")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Ann Other")
    expect(page.locator("main")).not_to_contain_text("ann@example.com")
    shot(page, "01-self-made-refused")
    assert not AuditEvent.objects.filter(
        subject_id=anyone.pk, action=AuditAction.CUSTOMER_REVEALED
    ).exists()
    assert AuditEvent.objects.filter(
        subject_id=anyone.pk, action=AuditAction.CUSTOMER_VIEWED, metadata__review="self_made"
    ).exists()

    # 2. A ticket the customer started in the portal, taken from the queue: reveals.
    started = services.open_ticket(
        customer=writer, channel="web", subject="Refund for the lamp", actor=CUSTOMER
    )
    page.goto(f"{live_server.url}/dashboard/service/queue/?scope=unassigned")
    page.locator(f'a[href="/dashboard/service/tickets/{started.pk}/"]').first.click()
    page.get_by_role("button", name="Take this ticket").click()
    expect(page.locator('[data-field="subject"]')).to_have_text("Refund for the lamp")
    page.goto(f"{live_server.url}/dashboard/customers/{writer.pk}/")
    open_reveal(page, ["name", "email"], f"ticket:{started.pk}")
    expect(page.locator('dd[data-field="name"]')).to_contain_text("Wes Writer")
    expect(page.locator('dd[data-field="email"]')).to_contain_text("wes@example.com")
    shot(page, "02-customer-started-revealed")

    # 3. A call-list entry: name and phone, not the email.
    segment = Segment.objects.create(name="Callers", created_by="t")
    campaign = Campaign.objects.create(
        name="Spring call", segment=segment, channel="phone", holdout_percent=0, created_by="t"
    )
    start_send(campaign_id=campaign.pk, actor="staff:1")
    call = campaign.recipients.get(customer=callee)
    page.goto(f"{live_server.url}/dashboard/campaigns/{campaign.pk}/calls/")
    page.get_by_role("button", name="Call the next customer").click()
    page.locator(f'a[href="/dashboard/customers/{callee.pk}/"]').click()
    open_reveal(page, ["name", "phone", "email"], f"call:{call.pk}")
    expect(page.locator(".error-summary")).to_contain_text("reveals only")
    expect(page.locator("main")).not_to_contain_text("cal@example.com")
    page.locator('input[name="fields_to_reveal"][value="email"]').uncheck()
    page.get_by_role("button", name="Reveal").click()
    expect(page.locator('dd[data-field="name"]')).to_contain_text("Cal Callee")
    expect(page.locator('dd[data-field="phone"]')).to_contain_text("+442079460333")
    expect(page.locator("main")).not_to_contain_text("cal@example.com")
    shot(page, "03-call-name-and-phone")
