"""Steps the browser tests share: staff sign-in through the dashboard's form, and
full-page screenshots kept under test-artifacts/<folder>/ for people to look at."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct-horse-battery-staple"


def sign_in(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/dashboard/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def screenshots(folder: str) -> Callable[[Page, str], None]:
    """shot(page, name) saving test-artifacts/<folder>/<name>.png."""
    target = ARTIFACTS / folder

    def shot(page: Page, name: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)

    return shot
