"""The service desk in Chromium at phone width (375 px), as an agent and then the
customer meet it: a caller looked up by phone, a new ticket in one step, the ticket in
the agent's queue; the customer's portal shows its status and the reply, never the
internal note. Screenshots go to test-artifacts/service/."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from access.roles import Role
from service.models import Ticket
from tests.browser.steps import screenshots
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PASSWORD = "correct-horse-battery-staple"
PHONE = "+44 20 7946 0777"
SCREEN = {"width": 375, "height": 812}
CODE = re.compile(r"\b(\d{6})\b")


shot = screenshots("service")


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def every_field_is_labelled(page: Page) -> bool:
    return page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
           .every(el => el.labels && el.labels.length > 0)"""
    )


@pytest.fixture
def small_page(browser):
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_call_centre_lookup_to_new_ticket_to_queue_and_the_customers_view(
    small_page: Page, live_server, make_staff
):
    page = small_page
    caller = CustomerFactory(email="lin@example.com", full_name="Lin Wei", phone=PHONE)
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)

    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Service desk").first.click()

    page.get_by_label("Caller's phone number, email, order number or name").fill("+442079460777")
    page.get_by_role("button", name="Find the customer").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/service/customers/{caller.pk}/")
    expect(page.locator('dd[data-field="phone"]')).to_have_text("***77")
    expect(page.locator("main")).not_to_contain_text("Lin Wei")
    assert fits_the_screen(page) and every_field_is_labelled(page)
    shot(page, "01-caller")

    page.get_by_label("Topic").select_option("delivery")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Subject").fill("Lamp arrived broken")
    page.get_by_label("First note").fill("Caller upset; courier damaged the box")
    page.get_by_label("This is a complaint").check()
    page.get_by_role("button", name="Open the ticket").click()

    ticket = Ticket.objects.get(customer=caller)
    expect(page).to_have_url(f"{live_server.url}/dashboard/service/tickets/{ticket.pk}/")
    expect(page.locator('[data-field="subject"]')).to_have_text("Lamp arrived broken")
    expect(page.locator('[data-visibility="internal"]')).to_contain_text("courier damaged")
    page.get_by_label("Add to the thread").fill("A replacement lamp ships tomorrow.")
    page.get_by_label("Reply to the customer").check()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator('[data-visibility="customer"]')).to_contain_text("replacement lamp")
    assert fits_the_screen(page)
    shot(page, "02-ticket")

    page.get_by_role("link", name="Back to my tickets").click()
    row = page.locator(f'tr[data-ticket="{ticket.pk}"]')
    expect(row).to_contain_text(ticket.short_id)
    expect(row).to_contain_text("complaint")
    expect(row).to_contain_text("High")
    assert fits_the_screen(page)
    shot(page, "03-my-queue")

    # The customer signs in to the portal: the ticket, its status and the reply; never
    # the internal note.
    mail.outbox.clear()
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("Email address").fill("lin@example.com")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code").fill(CODE.search(mail.outbox[-1].body).group(1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Help").click()
    expect(page.locator(f'a[href="/portal/tickets/{ticket.pk}/"]')).to_have_text(
        "Lamp arrived broken"
    )
    expect(page.locator('[data-status="open"]')).to_have_text("Open")
    page.get_by_role("link", name="Lamp arrived broken").click()
    expect(page.locator("main")).to_contain_text("A replacement lamp ships tomorrow.")
    expect(page.locator("main")).not_to_contain_text("courier damaged")
    expect(page.locator("main")).not_to_contain_text("Caller upset")
    assert fits_the_screen(page) and every_field_is_labelled(page)
    shot(page, "04-portal-ticket")


def test_a_customer_contacts_us_and_the_team_finds_it_unassigned(
    small_page: Page, live_server, make_staff
):
    page = small_page
    CustomerFactory(email="ana@example.com", full_name="Ana Lima", phone="+44 20 7946 0778")
    mail.outbox.clear()
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code").fill(CODE.search(mail.outbox[-1].body).group(1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Help").click()
    page.get_by_role("link", name="Contact us").click()
    page.get_by_label("What is it about?").select_option("billing")
    page.get_by_label("Subject").fill("Charged twice")
    page.get_by_label("Your message").fill("Order 77 appears twice on my card.")
    assert fits_the_screen(page) and every_field_is_labelled(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charged twice")
    expect(page.locator("main")).to_contain_text("Order 77 appears twice on my card.")
    shot(page, "05-portal-contact")

    ticket = Ticket.objects.get()
    make_staff(Role.SUPPORT_AGENT, username="kim", password=PASSWORD)
    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/dashboard/service/queue/?scope=unassigned")
    expect(page.locator(f'tr[data-ticket="{ticket.pk}"]')).to_contain_text("Web form")
