"""Regenerates the README's and the docs' screenshots (`make screenshots`).

Seeds the demo data of `make run` into throwaway SQLite files with throwaway keys,
serves the app with `runserver` on a free local port, signs in to the customer portal
(the one-time code is read from the mail files) and to the staff dashboard (the demo
privacy officer), and writes small PNGs into docs/images/. Nothing of the developer's
own `.env` or databases is read or touched: every setting the app needs is passed here.

Needs Debian's Chromium at /usr/bin/chromium (as the browser tests do).
"""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess  # nosec B404
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}
PORTAL_EMAIL = "customer@demo.example"
STAFF_USER = "privacy"
STAFF_PASSWORD = "screenshots-only-password"  # noqa: S105  # nosec B105
CODE = re.compile(r"\b(\d{6})\b")


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(workdir: Path) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="crm_project.settings",
        DEBUG="true",
        SECRET_KEY=_key(),
        VAULT_MASTER_KEYS=_key(),
        VAULT_INDEX_KEY=_key(),
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        KEYS_DATABASE_URL=f"sqlite:///{workdir / 'keys.sqlite3'}",
        REDIS_URL="",
        EMAIL_URL=f"filemail:///{workdir / 'mail'}",
        OTP_REQUIRED="false",
        LOG_FORMAT="text",
        LOG_LEVEL="WARNING",
        DEV_STAFF_PASSWORD=STAFF_PASSWORD,
        DEV_ADMIN_PASSWORD=STAFF_PASSWORD,
    )
    return environment


def _manage(environment: dict[str, str], *arguments: str) -> None:
    print("manage.py", " ".join(arguments), flush=True)
    subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _wait_until_served(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("screenshots: the development server stopped")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  # nosec B310
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("screenshots: the development server did not answer")


def _latest_code(mail_dir: Path) -> str:
    for _ in range(40):
        mails = sorted(mail_dir.glob("*.log"), key=lambda path: path.stat().st_mtime)
        if mails and (found := CODE.search(mails[-1].read_text())):
            return found.group(1)
        time.sleep(0.25)
    found = [path.name for path in mail_dir.iterdir()]
    raise SystemExit(f"screenshots: no sign-in code was mailed (mail folder: {found})")


def _save(page: Page, name: str) -> None:
    path = IMAGES / name
    page.screenshot(path=str(path), type="png")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def _portal(page: Page, base: str, mail_dir: Path) -> None:
    page.goto(f"{base}/portal/sign-in/")
    page.get_by_label("Email address").fill(PORTAL_EMAIL)
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code").fill(_latest_code(mail_dir))
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/portal/my-data/")
    _save(page, "portal-my-data.png")


def _dashboard(page: Page, base: str) -> None:
    page.goto(f"{base}/dashboard/sign-in/")
    page.get_by_label("Username").fill(STAFF_USER)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/dashboard/")
    page.goto(f"{base}/dashboard/customers/")
    page.get_by_label("Email, phone or external id").fill(PORTAL_EMAIL)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/dashboard/customers/[0-9a-f-]{36}/$"))
    _save(page, "dashboard-customer-masked.png")
    page.goto(f"{base}/dashboard/privacy/")
    _save(page, "dashboard-privacy-desk.png")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="custodian-screenshots-") as temporary:
        workdir = Path(temporary)
        (workdir / "mail").mkdir()
        environment = _environment(workdir)
        _manage(environment, "migrate", "--noinput")
        _manage(environment, "migrate", "--database=keys", "--noinput")
        _manage(environment, "seed_demo", "--customers", "60", "--portal-customer")
        _manage(environment, "build_recommendations")
        _manage(environment, "seed_demo_staff")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "server.log").open("w"),
        )
        try:
            _wait_until_served(f"{base}/healthz", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for surface in (
                    lambda page: _portal(page, base, workdir / "mail"),
                    lambda page: _dashboard(page, base),
                ):
                    context = browser.new_context(viewport=VIEWPORT)
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    surface(page)
                    context.close()
                browser.close()
        except BaseException:
            print((workdir / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
