"""Steps the browser tests share: staff sign-in through the dashboard's form (in any
language, on a page of a given width), and full-page screenshots kept under
test-artifacts/<folder>/ for people to look at."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct-horse-battery-staple"


def sign_in(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def language_page(browser, live_server, language: str, width: int) -> tuple:
    """(context, page): a fresh page `width` px wide that asks for `language`."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def sign_in_by_ids(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    """The dashboard's sign-in form found by its fields' ids, so in any language; waits
    until the dashboard is shown."""
    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(f"{live_server.url}/dashboard/sign-in/")


def signed_in_page(browser, live_server, username: str, language: str, width: int) -> tuple:
    """(context, page) of a staff member signed in, in `language`, `width` px wide."""
    context, page = language_page(browser, live_server, language, width)
    sign_in_by_ids(page, live_server, username)
    return context, page


def screenshots(folder: str) -> Callable[[Page, str], None]:
    """shot(page, name) saving test-artifacts/<folder>/<name>.png."""
    target = ARTIFACTS / folder

    def shot(page: Page, name: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)

    return shot
