"""Running the product as deployed, for tests whose finding is about deployment:
gunicorn with the project's own gunicorn.conf.py, and Celery workers, on the databases
pytest-django made (a test using these needs `transaction=True`, so the served process
sees its rows) and on the test's own environment."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from django.db import connections

ROOT = Path(__file__).resolve().parents[1]


def closed_port() -> int:
    """A port nothing listens on (free once the probing socket closes)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(alias: str) -> str:
    """The URL of the test database behind `alias` (PostgreSQL)."""
    db = connections[alias].settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or ''}{password}@{host}:{port}/{db['NAME']}"


def served_databases() -> dict[str, str]:
    return {"DATABASE_URL": database_url("default"), "KEYS_DATABASE_URL": database_url("keys")}


@dataclass
class Served:
    base: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def gunicorn_command(port: int, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "crm_project.wsgi", "-c", "gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]  # fmt: skip


def runserver_command(port: int) -> list[str]:
    return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]


@contextmanager
def serving(
    env: dict[str, str],
    workers: int = 1,
    command: Callable[[int], list[str]] | None = None,
) -> Iterator[Served]:
    """gunicorn -c gunicorn.conf.py (or `command(port)`, e.g. runserver_command) on a
    free loopback port, with the test's environment updated by `env`; its output (error
    and access logs) is kept for the test to read."""
    port = closed_port()
    with tempfile.NamedTemporaryFile("w+b", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
    full_env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    args = command(port) if command else gunicorn_command(port, workers)
    with log_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            args, cwd=ROOT, env=full_env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield Served(base, log_path)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log_path.unlink(missing_ok=True)
