"""The access review in Chromium, as a privacy officer uses it (issue 25, item 4): from
the privacy desk to the review, filter to one staff member's flagged accesses, mark a
break-glass reveal reviewed with a note, and download the CSV; at desktop width and at
375 px. Screenshots go to test-artifacts/access-review/."""

import csv

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from access.models import AccessReview
from access.roles import Role
from audit.models import AuditAction
from audit.services import record_event, staff_actor
from tests.browser.steps import screenshots
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PASSWORD = "correct-horse-battery-staple"
NOTE = "Asked Anna: the customer had phoned in, no ticket yet."


shot = screenshots("access-review")


def reveal(user, customer, purpose: str, **meta) -> None:
    with transaction.atomic():
        record_event(
            actor=staff_actor(user.pk),
            action=AuditAction.CUSTOMER_REVEALED,
            object_type="customers.customer",
            object_id=customer.pk,
            subject_id=customer.pk,
            purpose=purpose,
            metadata={"fields": "email", "role": "support_agent", **meta},
        )


@pytest.mark.parametrize("width", [1280, 375])
def test_an_officer_filters_marks_reviewed_and_exports(
    page: Page, live_server, make_staff, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    anna = make_staff(Role.SUPPORT_AGENT, username="anna")
    bob = make_staff(Role.SUPPORT_AGENT, username="bob")
    customer = CustomerFactory(email="ada@example.com")
    reveal(anna, customer, "reason:1")
    reveal(anna, customer, "ticket:1")
    reveal(bob, customer, "ticket:2", review="self_made")

    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill("pia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Privacy desk").first.click()
    page.get_by_role("link", name="Access review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access review")
    expect(page.locator("tbody tr")).to_have_count(3)

    page.get_by_label("Staff member").select_option(label="anna")
    page.get_by_label("Show").select_option(label="Flagged only")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("anna · Support agent")
    expect(rows.first).to_contain_text("Break-glass reason")
    expect(page.locator("main")).not_to_contain_text("ada@example.com")
    shot(page, f"01-flagged-{width}")

    rows.first.get_by_label("Note (optional)").fill(NOTE)
    rows.first.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_role("status")).to_contain_text("Marked reviewed.")
    expect(page.get_by_label("Staff member")).to_have_value(str(anna.pk))  # filters kept
    expect(rows.first).to_contain_text("by pia")
    expect(rows.first).to_contain_text(NOTE)
    review = AccessReview.objects.get()
    assert review.reviewer.username == "pia" and review.note == NOTE
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"02-reviewed-{width}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    path = tmp_path / "access.csv"
    download_info.value.save_as(path)
    lines = list(csv.reader(path.open(encoding="utf-8")))
    assert len(lines) == 2 and lines[1][1] == "anna" and lines[1][8] == "pia"
    assert NOTE not in path.read_text(encoding="utf-8")
