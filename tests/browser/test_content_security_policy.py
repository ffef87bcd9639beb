"""Every page obeys the Content Security Policy: Chromium reports no refused inline
script or style, on the portal, the dashboard, the admin, the error page and the API docs.
(tests/test_headers.py checks the policy itself and that templates hold nothing inline.)"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import STAFF_PASSWORD, STAFF_USERNAME
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CODE = re.compile(r"\b(\d{6})\b")


def watch_violations(page: Page) -> list[str]:
    """Console lines and securitypolicyviolation events that report a CSP refusal."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective))"
    )
    return seen


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    page.wait_for_load_state("networkidle")


@pytest.fixture
def superuser(django_user_model, settings):
    settings.OTP_REQUIRED = False
    return django_user_model.objects.create_superuser(
        username=STAFF_USERNAME, email="staff@example.com", password=STAFF_PASSWORD
    )


def test_portal_pages_run_no_inline_script_or_style(page: Page, live_server):
    customer = CustomerFactory(email="nur@example.com", consents={"account": True})
    violations = watch_violations(page)
    visit(page, live_server.url + "/portal/")
    page.get_by_label("Email address").fill(customer.email)
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code").fill(CODE.search(mail.outbox[-1].body).group(1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Everything we hold about you")).to_be_visible()
    for path in (
        "my-data/",
        "recommendations/",
        "access-log/",
        "export/",
        "export/summary/",
        "profile/",
        "profile/email/",
        "consents/",
        "close-account/",
    ):
        visit(page, f"{live_server.url}/portal/{path}")
    assert violations == []


def test_dashboard_and_admin_pages_run_no_inline_script_or_style(
    page: Page, live_server, superuser
):
    customer = CustomerFactory(consents={"account": True})
    violations = watch_violations(page)
    visit(page, live_server.url + "/dashboard/sign-in/")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    for path in (
        "/dashboard/",
        "/dashboard/customers/",
        "/dashboard/customers/search/",
        f"/dashboard/customers/{customer.pk}/",
        "/dashboard/privacy/",
        "/dashboard/privacy/processors/",
        "/dashboard/privacy/records/",
        "/dashboard/metrics/",
        "/dashboard/service/",
        "/dashboard/service/queue/",
        f"/dashboard/service/customers/{customer.pk}/",
        f"/dashboard/service/customers/{customer.pk}/tickets/new/",
        "/dashboard/privacy/carriers/",
        "/dashboard/privacy/carriers/new/",
        "/dashboard/two-factor/enrol/",
        "/admin/",
        "/admin/customers/customer/",
        f"/admin/customers/customer/{customer.pk}/change/",
        "/admin/auth/user/add/",
        "/admin/disposal/processor/add/",
        "/admin/api/storefrontkey/add/",
        "/admin/otp_totp/totpdevice/add/",
    ):
        visit(page, live_server.url + path)
    assert violations == []


def test_the_api_docs_render_under_their_own_policy(page: Page, live_server):
    violations = watch_violations(page)
    visit(page, live_server.url + "/api/docs/")
    expect(page.get_by_text("Custodian storefront API").first).to_be_visible()
    assert violations == []
