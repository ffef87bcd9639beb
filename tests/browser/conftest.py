"""Playwright fixtures: one Debian Chromium per module, a fresh page per test, the
consent purposes re-seeded, and a staff superuser logged in through the admin form."""

import os

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the
# tests make between page actions are still synchronous, so Django may allow them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STAFF_USERNAME = "staff"
STAFF_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _reseeded(reference_data):
    """Live-server tests are transactional: re-seed what earlier ones flushed."""


@pytest.fixture(autouse=True)
def _links_to_the_live_server(request, settings):
    """Mails link to PUBLIC_URL: in a browser test, the live server the page is on."""
    if "live_server" in request.fixturenames:
        settings.PUBLIC_URL = request.getfixturevalue("live_server").url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff_page(page, live_server, django_user_model):
    """A page logged in to the admin as a superuser, via /admin/login/."""
    django_user_model.objects.create_superuser(
        username=STAFF_USERNAME, email="staff@example.com", password=STAFF_PASSWORD
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", STAFF_USERNAME)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page
