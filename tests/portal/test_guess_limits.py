"""Issue 25 item 10: the limit on guesses holds when the guesses arrive at once. Forty
concurrent wrong guesses at one code used to be checked twelve (SQLite) or seven
(PostgreSQL) times against a limit of five; each check is now counted before it is made,
by one conditional update.

Each guess is a request of its own (the test client in its own thread, so its own
database connection), all sharing the one portal session that holds the challenge. The
check is slowed a little so that the guesses overlap on a loaded machine too."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client

from customers import verification
from customers.models import EmailChange
from portal.models import SignInCode
from tests.portal.conftest import code_from

GUESSES = 40
CODE = re.compile(r"\b(\d{6})\b")

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need a server database (SQLite's test database is one "
        "connection in memory)",
    ),
]


@pytest.fixture
def checks(monkeypatch):
    """Counts the codes actually compared (through the real comparison)."""
    counted = []
    lock = threading.Lock()
    real = verification.code_matches

    def counting(*args, **kwargs):
        with lock:
            counted.append(1)
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(verification, "code_matches", counting)
    return counted


def _concurrently(cookie: str, path: str, wrong: str) -> list[int]:
    start = threading.Barrier(GUESSES)

    def guess(_number):
        client = Client()
        client.cookies["custodian_portal"] = cookie
        try:
            start.wait()
            return client.post(path, {"code": wrong}).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        return list(pool.map(guess, range(GUESSES)))


def _wrong(code: str) -> str:
    return "111111" if code != "111111" else "222222"


def test_forty_concurrent_wrong_sign_in_codes_are_checked_only_up_to_the_limit(
    reference_data, make_customer, checks, settings
):
    customer = make_customer()
    client = Client()
    client.post("/portal/sign-in/", {"email": customer.email})
    code = code_from(mail.outbox[-1])
    cookie = client.cookies["custodian_portal"].value

    statuses = _concurrently(cookie, "/portal/sign-in/code/", _wrong(code))

    assert statuses == [200] * GUESSES
    assert len(checks) == settings.VERIFICATION_MAX_ATTEMPTS
    assert SignInCode.objects.get().attempts == settings.VERIFICATION_MAX_ATTEMPTS
    # The code is used up: even the right one no longer opens it.
    right = client.post("/portal/sign-in/code/", {"code": code})
    assert "has expired" in right.content.decode()
    assert client.get("/portal/my-data/").status_code == 302


def test_forty_concurrent_wrong_email_change_codes_are_checked_only_up_to_the_limit(
    reference_data, make_customer, checks, settings
):
    customer = make_customer()
    client = Client()
    client.post("/portal/sign-in/", {"email": customer.email})
    client.post("/portal/sign-in/code/", {"code": code_from(mail.outbox[-1])})
    client.post("/portal/profile/email/", {"email": "new-address@example.com"})
    code = CODE.search(mail.outbox[-1].body).group(1)
    checks.clear()
    cookie = client.cookies["custodian_portal"].value

    statuses = _concurrently(cookie, "/portal/profile/email/confirm/", _wrong(code))

    assert statuses == [200] * GUESSES
    assert len(checks) == settings.VERIFICATION_MAX_ATTEMPTS
    assert EmailChange.objects.get().attempts == settings.VERIFICATION_MAX_ATTEMPTS
    client.post("/portal/profile/email/confirm/", {"code": code})
    customer.refresh_from_db()
    assert customer.email != "new-address@example.com"
