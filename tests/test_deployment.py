"""What ships and how it runs: the image's context, the deploy checks, the access logs."""

import base64
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from crm_project.logging import StripQueryStrings

ROOT = Path(__file__).resolve().parent.parent


def _docker_pattern(pattern: str) -> re.Pattern:
    """Docker's .dockerignore matching (Go filepath.Match plus `**`), anchored at the
    context root; a pattern that matches a directory excludes everything under it."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "(?:/.*)?")


def _ignored(path: str) -> bool:
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if _docker_pattern(line.lstrip("!").strip("/")).fullmatch(path):
            ignored = not negate
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        ".env.local",
        "deploy/.env.staging",
        "master.key",
        "deploy/keys/vault.key",
        "tls/server.pem",
        "keys.sqlite3",
        "db.sqlite3",
        "backups/custodian.dump",
        "secrets/index-key",
    ],
)
def test_secrets_and_local_data_never_go_into_the_image(path):
    assert _ignored(path), f"{path} would be copied into the image by COPY . ."


def test_every_tracked_file_the_app_needs_goes_into_the_image():
    git = ["git", "ls-files"]
    listed = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    tracked = listed.stdout.split()
    left_out = [path for path in tracked if _ignored(path)]
    assert left_out == [], left_out
    assert not _ignored("manage.py") and not _ignored("gunicorn.conf.py")


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_check_deploy_passes_with_the_production_defaults():
    """What an operator gets with only the documented variables set."""
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "VAULT_MASTER_KEYS": _key(),
        "VAULT_INDEX_KEY": _key(),
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
        "KEYS_DATABASE_URL": os.environ.get("KEYS_DATABASE_URL", "sqlite:///:memory:"),
    }
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='crm_project.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_AGE)"
    )
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    _header, redirect, hsts, session_age = shown.stdout.rsplit(None, 3)
    assert "HTTP_X_FORWARDED_PROTO" in shown.stdout and redirect == "True"
    assert int(hsts) >= 180 * 24 * 3600
    assert int(session_age) <= 12 * 3600
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_worker_loads_every_view_as_it_starts_not_on_its_first_request():
    """gunicorn imports crm_project.wsgi in each worker; the URLconf and the API's views
    come with it, so no storefront's request waits for them (issue 28)."""
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "VAULT_MASTER_KEYS": _key(),
        "VAULT_INDEX_KEY": _key(),
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "KEYS_DATABASE_URL": "sqlite:///:memory:",
    }
    script = "import sys, crm_project.wsgi; print('api.views.purchases' in sys.modules)"
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-1] == "True"


def test_docker_compose_publishes_gunicorn_on_loopback_only():
    compose = (ROOT / "docker-compose.yml").read_text()
    published = re.findall(r'^\s*-\s*"?([0-9.:]*8000:8000)"?\s*$', compose, re.MULTILINE)
    assert published == ["127.0.0.1:8000:8000"]
    assert "gunicorn.conf.py" in compose and "--access-logfile" not in compose
    assert "gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()


def test_gunicorn_access_log_lines_carry_no_query_string():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    settings: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # noqa: S102 (our own file)
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    request = SimpleNamespace(
        method="GET",
        path="/api/v1/customers/",
        query="email=ada%40example.com",
        uri="/api/v1/customers/?email=ada%40example.com",
        version=(1, 1),
        headers=[("REFERER", "https://shop.example/?email=ada@example.com")],
    )
    response = SimpleNamespace(status="200 OK", sent=12, headers=[], response_length=12)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/customers/",
        "REMOTE_ADDR": "127.0.0.1",
        "RAW_URI": request.uri,
        "QUERY_STRING": request.query,
        "HTTP_REFERER": "https://shop.example/?email=ada@example.com",
        "HTTP_USER_AGENT": "shop/1.0",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = Logger(config).atoms(response, request, environ, timedelta(seconds=0.01))
    line = config.access_log_format % atoms
    assert "/api/v1/customers/" in line
    assert "ada" not in line and "email" not in line
    # A storefront's own id in the path (v1.1 `ext:`) is masked by the project's logger.
    scrubbed = settings["logger_class"](config).atoms(
        response, request, {**environ, "PATH_INFO": "/api/v1/customers/ext:shop-42/"}, timedelta(0)
    )
    assert scrubbed["U"] == "/api/v1/customers/ext:[redacted]/"


def test_runserver_request_lines_are_logged_without_query_strings():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /api/v1/customers/?email=ada%40example.com HTTP/1.1", "200", "12"),
        None,
    )
    assert StripQueryStrings().filter(record)
    assert record.getMessage() == '"GET /api/v1/customers/ HTTP/1.1" 200 12'
    configured = logging.getLogger("django.server").handlers
    assert any(isinstance(f, StripQueryStrings) for handler in configured for f in handler.filters)


def test_readme_links_only_files_in_the_repository():
    """A user of a clean clone has the repository, not our notes or test output."""
    git = ["git", "ls-files"]
    tracked = set(
        subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()  # noqa: S603
    )
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", document.read_text()):
            if re.match(r"(https?:|mailto:|#)", target):
                continue
            path = (document.parent / target.split("#")[0]).resolve().relative_to(ROOT)
            assert str(path) in tracked or any(name.startswith(f"{path}/") for name in tracked), (
                f"{document.name} links {target}, which is not in the repository"
            )
