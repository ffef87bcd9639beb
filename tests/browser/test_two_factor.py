"""The second factor in Chromium: a privacy officer enrols by typing the key the page
shows into an "app" (this test computes the TOTP code itself), signs out, and signs in
again with password then code; on a 375-pixel phone too, and then into the admin.
Screenshots under test-artifacts/dashboard/."""

import time
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from access.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
PASSWORD = "correct-horse-battery-staple"
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.OTP_REQUIRED = True


def code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key now (or a step later)."""
    totp = TOTP(b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8)))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def password_sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/dashboard/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_enrol_then_sign_in_with_password_and_code(browser, live_server, make_staff, viewport):
    make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    context = browser.new_context(viewport=viewport) if viewport else browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    suffix = "-375" if viewport else ""

    password_sign_in(page, live_server.url, "pia")
    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    if viewport:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"two-factor-enrol{suffix}.png"), full_page=True)

    page.get_by_label("Six-digit code from your authenticator app").fill("123456")
    page.get_by_role("button", name="Turn on the second factor").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    time.sleep(1.1)  # django-otp waits 1 s after one wrong code
    page.get_by_label("Six-digit code from your authenticator app").fill(code(secret))
    page.get_by_role("button", name="Turn on the second factor").click()
    expect(page.get_by_role("link", name="Privacy desk").first).to_be_visible()
    assert page.url == f"{live_server.url}/dashboard/"

    page.get_by_role("button", name="Sign out").click()
    password_sign_in(page, live_server.url, "pia")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.goto(f"{live_server.url}/dashboard/privacy/")  # still only the code page
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"two-factor-code{suffix}.png"), full_page=True)
    # The code of the next step: the enrolment's own code may not be used twice.
    page.get_by_label("Six-digit code from your authenticator app").fill(code(secret, 1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Privacy desk")).to_be_visible()
    context.close()


def test_an_administrator_reaches_the_admin_only_after_the_code(
    page: Page, live_server, make_staff
):
    make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Six-digit code from your authenticator app").fill(code(secret))
    page.get_by_role("button", name="Turn on the second factor").click()
    expect(page.get_by_role("link", name="Customers").first).to_be_visible()
    assert page.url == f"{live_server.url}/admin/"
