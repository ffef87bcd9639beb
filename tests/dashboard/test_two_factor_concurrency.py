"""Issue 25 item 10, the staff second factor: forty wrong codes sent at once are checked
one at a time, so django-otp's throttle stops all but the first (it used to read the
same unthrottled state for every one of them and check them all)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.roles import Role
from tests.dashboard.conftest import PASSWORD

GUESSES = 40
VERIFY = "/dashboard/two-factor/verify/"

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need a server database (SQLite's test database is one "
        "connection in memory)",
    ),
]


def test_forty_concurrent_wrong_second_factor_codes_are_checked_once(
    make_staff, settings, monkeypatch
):
    settings.OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # no wait runs out while the guesses last
    user = make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    assert client.post("/dashboard/sign-in/", {"username": "ada", "password": PASSWORD})["Location"]
    cookie = client.cookies["sessionid"].value

    checks, lock = [], threading.Lock()
    real = TOTPDevice.verify_token

    def counting(self, token):
        with lock:
            checks.append(1)
        time.sleep(0.05)  # a slower check: the guesses overlap on a loaded machine too
        return real(self, token)

    monkeypatch.setattr(TOTPDevice, "verify_token", counting)
    start = threading.Barrier(GUESSES)

    def guess(_number):
        guesser = Client()
        guesser.cookies["sessionid"] = cookie
        try:
            start.wait()
            return guesser.post(VERIFY, {"code": "000000"}).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        statuses = list(pool.map(guess, range(GUESSES)))

    assert statuses == [200] * GUESSES
    assert len(checks) == 1
    assert TOTPDevice.objects.get().throttling_failure_count == 1
