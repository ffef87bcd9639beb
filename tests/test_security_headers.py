"""Issue 16, item 2: the response headers every surface sends (CSP with nothing inline,
Permissions-Policy, Referrer-Policy, framing), templates that hold no inline script or
style, the admin at a configurable path, and `check --deploy` with production settings.
The browser side (no CSP refusal on any page) is tests/browser/test_content_security_policy.py."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(databases="__all__")


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize(
    "path",
    [
        "/portal/sign-in/",
        "/dashboard/sign-in/",
        "/admin/login/",
        "/api/v1/purposes/",
        "/healthz",
        "/portal/no-such-page/",
    ],
)
def test_every_surface_sends_a_strict_policy_and_the_other_headers(client, path):
    response = client.get(path)
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_api_docs_load_their_start_up_script_from_a_file_not_inline(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    scripts = re.findall(rb"<script([^>]*)>(.*?)</script>", page.content, re.S)
    assert scripts and all(b"src=" in attrs and not body.strip() for attrs, body in scripts)
    assert b"<style" not in page.content and b"style=" not in page.content
    csp = policy(page)
    assert csp["script-src"] == ["'self'"] and "data:" in csp["img-src"]
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_chart_images_get_a_policy_that_lets_nothing_run(client, make_staff, settings):
    from access.roles import Role

    client.force_login(make_staff(Role.MARKETING), "django.contrib.auth.backends.ModelBackend")
    chart = client.get("/dashboard/metrics/customers.svg")
    assert chart.status_code == 200 and b"<script" not in chart.content
    csp = policy(chart)
    assert csp["default-src"] == ["'none'"] and "sandbox" in csp
    assert "script-src" not in csp  # falls back to 'none'
    page = client.get("/dashboard/metrics/")
    assert "unsafe-inline" not in page["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<style\b", re.I), "an inline <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def served_templates() -> list[Path]:
    """Every template of ours that a browser renders (mail bodies are not pages)."""
    found = []
    for path in ROOT.rglob("*.html"):
        relative = path.relative_to(ROOT).as_posix()
        # site/ is the built documentation (`make docs`, git-ignored), not a page we serve.
        if relative.startswith(
            (".venv/", "test-artifacts/", "staticfiles/", "node_modules/", "site/")
        ):
            continue
        if "/email/" in relative:
            continue
        found.append(path)
    return found


def test_no_template_holds_inline_script_style_or_handlers():
    templates = served_templates()
    assert len(templates) > 30  # portal, dashboard, api docs, the error page
    problems = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert problems == []


def test_the_root_page_leads_to_the_dashboard_not_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def production_env(**extra) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "VAULT_MASTER_KEYS": _key(),
        "VAULT_INDEX_KEY": _key(),
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
        "KEYS_DATABASE_URL": os.environ.get("KEYS_DATABASE_URL", "sqlite:///:memory:"),
        **extra,
    }


# Settings read a developer's .env too; these subprocesses see only what they are given.
NO_DOT_ENV = "import environ; environ.Env.read_env = staticmethod(lambda *a, **k: None);"


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", NO_DOT_ENV + code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_with_a_moved_admin_and_the_second_factor_on():
    env = production_env(ADMIN_URL="/staff-7f3c/")
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'crm_project.settings';"
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'DEBUG'])"
    )
    check = run_python(code, env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'crm_project.settings';"
        "django.setup(); from django.conf import settings as s; from django.urls import resolve;"
        "from django.urls.exceptions import Resolver404;\n"
        "print(s.OTP_REQUIRED, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, resolve('/staff-7f3c/').app_name)\n"
        "try:\n    resolve('/admin/'); print('admin still at /admin/')\n"
        "except Resolver404:\n    print('gone')"
    )
    shown = run_python(code, env)
    assert shown.returncode == 0, shown.stderr
    otp, session_secure, csrf_secure, hsts, app = shown.stdout.split()[:5]
    assert (otp, session_secure, csrf_secure, app) == ("True", "True", "True", "admin")
    assert int(hsts) >= 365 * 24 * 3600
    assert shown.stdout.split()[-1] == "gone"


def test_the_production_answers_carry_hsts_and_secure_cookies():
    env = production_env(SECURE_SSL_REDIRECT="false")
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'crm_project.settings';"
        "django.setup(); from django.test import Client;"
        "r = Client(HTTP_X_FORWARDED_PROTO='https')"
        ".get('/dashboard/sign-in/', HTTP_HOST='crm.example.com');"
        "c = r.cookies['csrftoken']; hsts = r['Strict-Transport-Security'].replace(' ', '');"
        "print(r.status_code, hsts, c['secure'], c['httponly'])"
    )
    shown = run_python(code, env)
    assert shown.returncode == 0, shown.stderr
    status, hsts, secure, httponly = shown.stdout.split()
    assert status == "200" and hsts.startswith("max-age=31536000;includeSubDomains")
    assert secure == "True" and httponly == "True"


def test_a_customer_page_of_the_admin_answers_under_the_policy_too(admin_client):
    customer = CustomerFactory()
    response = admin_client.get(f"/admin/customers/customer/{customer.pk}/change/")
    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]


def test_security_md_documents_the_headers_the_second_factor_and_an_existing_test_matrix():
    text = (ROOT / "SECURITY.md").read_text()
    for needed in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "Referrer-Policy",
        "ADMIN_URL",
        "OTP_REQUIRED",
        "## Abuse test matrix",
    ):
        assert needed in text, needed
    matrix = text.split("## Abuse test matrix", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(tests/[\w/]+\.py)`", matrix))
    assert len(named) >= 10
    assert [path for path in named if not (ROOT / path).exists()] == []
    readme = (ROOT / "README.md").read_text()
    assert "[SECURITY.md](SECURITY.md)" in readme and "ADMIN_URL" in readme
