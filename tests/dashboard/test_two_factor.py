"""The second factor (TOTP) for administrators and privacy officers, on the dashboard and
the admin: enrolment with a QR code, a code after every password sign-in, throttled
guesses, and the setting that turns it off for the demo only."""

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.roles import Role
from tests.dashboard.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")
SIGN_IN = "/dashboard/sign-in/"
ENROL = "/dashboard/two-factor/enrol/"
VERIFY = "/dashboard/two-factor/verify/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.OTP_REQUIRED = True


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def password_sign_in(client: Client, username: str) -> None:
    response = client.post(SIGN_IN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PRIVACY_OFFICER])
def test_a_password_alone_leads_to_enrolment_and_a_first_code_lets_the_user_in(
    client, make_staff, role
):
    make_staff(role, username="olga", password=PASSWORD)
    password_sign_in(client, "olga")
    home = client.get("/dashboard/privacy/")
    assert home.status_code == 302
    assert home["Location"] == f"{ENROL}?next=%2Fdashboard%2Fprivacy%2F"

    page = client.get(home["Location"])
    assert page.status_code == 200
    assert page.content.count(b"<svg") == 1 and b"<script" not in page.content
    device = TOTPDevice.objects.get(user__username="olga", confirmed=False)
    typed = re.search(rb'id="totp-secret">([A-Z2-7 ]+)<', page.content).group(1)
    assert typed.replace(b" ", b"").decode() in device.config_url
    assert client.get(ENROL).content.count(typed) == 1  # the same device on a reload

    wrong = client.post(ENROL, {"code": "000000", "next": "/dashboard/privacy/"})
    assert wrong.status_code == 200 and b"There is a problem" in wrong.content
    assert client.get("/dashboard/privacy/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    done = client.post(ENROL, {"code": code_for(device), "next": "/dashboard/privacy/"})
    assert done.status_code == 302 and done["Location"] == "/dashboard/privacy/"
    assert TOTPDevice.objects.get(user__username="olga").confirmed
    assert client.get("/dashboard/privacy/").status_code == 200


def test_an_enrolled_user_signs_in_with_password_then_code(client, make_staff):
    user = make_staff(Role.PRIVACY_OFFICER, username="pia", password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_sign_in(client, "pia")
    assert client.get("/dashboard/").status_code == 302
    assert client.get(ENROL)["Location"] == VERIFY  # no second enrolment
    response = client.post(VERIFY, {"code": code_for(device), "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    # The same code does not work twice (a new session, the same code).
    other = Client()
    password_sign_in(other, "pia")
    reused = other.post(VERIFY, {"code": code_for(device), "next": "/dashboard/"})
    assert reused.status_code == 200 and other.get("/dashboard/").status_code == 302


def test_the_admin_needs_the_code_too(client, make_staff):
    user = make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_sign_in(client, "ada")
    response = client.get("/admin/customers/customer/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Fcustomers%2Fcustomer%2F"
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/admin/customers/customer/").status_code == 200


def test_wrong_codes_are_throttled(client, make_staff):
    user = make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_sign_in(client, "ada")
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    # Even the right code waits out the throttle (2 s after 3 failures, doubling).
    response = client.post(VERIFY, {"code": code_for(device)})
    assert b"Too many wrong codes" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_an_open_redirect_through_next_is_refused(client, make_staff):
    user = make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_sign_in(client, "ada")
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING])
def test_other_roles_sign_in_with_a_password(client, make_staff, role):
    make_staff(role, username="sam", password=PASSWORD)
    password_sign_in(client, "sam")
    assert client.get("/dashboard/").status_code == 200


def test_the_setting_turns_it_off(client, make_staff, settings):
    settings.OTP_REQUIRED = False
    make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    password_sign_in(client, "ada")
    assert client.get("/dashboard/").status_code == 200


def test_it_is_on_unless_the_environment_says_otherwise_and_the_demo_turns_it_off(tmp_path):
    from crm_project import devenv

    source = (devenv.ENV_FILE.parent / "crm_project" / "settings.py").read_text()
    assert 'OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)' in source
    written = tmp_path / ".env"
    assert devenv.write_dev_env(written)
    assert "OTP_REQUIRED=false" in written.read_text().splitlines()
