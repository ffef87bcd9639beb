"""Staff sign-in: the form, lockout after repeated failures (with its unlock command),
the idle timeout, and pages that need a role."""

import time

import pytest
from django.core.management import call_command
from django.utils import translation

from access.roles import Role
from dashboard.middleware import LAST_SEEN
from tests.dashboard.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")
SIGN_IN = "/dashboard/sign-in/"


def test_staff_sign_in_with_username_and_password(client, make_staff):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    response = client.post(SIGN_IN, {"username": "sam", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert b"Support agent" in client.get("/dashboard/").content


def test_a_wrong_password_shows_an_error_summary(client, make_staff):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    response = client.post(SIGN_IN, {"username": "sam", "password": "nope"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content


def test_five_failures_lock_the_username_until_an_administrator_unlocks_it(client, make_staff):
    make_staff(Role.SUPPORT_AGENT, username="sam", password=PASSWORD)
    for _ in range(5):
        client.post(SIGN_IN, {"username": "sam", "password": "wrong"})
    locked = client.post(SIGN_IN, {"username": "sam", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"locked" in locked.content and b"axes_reset_username" in locked.content
    assert not client.get("/dashboard/").wsgi_request.user.is_authenticated

    call_command("axes_reset_username", "sam")
    assert client.post(SIGN_IN, {"username": "sam", "password": PASSWORD}).status_code == 302


def test_an_idle_session_is_signed_out(signed_in, settings):
    client, _user = signed_in(Role.MARKETING)
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.DASHBOARD_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get("/dashboard/customers/")
    assert response.status_code == 302 and response["Location"].startswith(f"{SIGN_IN}?idle=1")
    follow = client.get(response["Location"])
    assert b"without activity" in follow.content
    assert client.get("/dashboard/").status_code == 302


def test_activity_keeps_the_session_alive(signed_in, settings):
    client, _user = signed_in(Role.MARKETING)
    client.get("/dashboard/")
    assert client.session.get_expiry_age() == settings.DASHBOARD_IDLE_MINUTES * 60
    session = client.session
    idle = settings.DASHBOARD_IDLE_MINUTES * 60
    session[LAST_SEEN] = int(time.time()) - idle + 30  # active 30 s before the limit
    session.save()
    assert client.get("/dashboard/customers/").status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN] < 5


def test_pages_need_a_signed_in_user_with_a_role(client, django_user_model):
    response = client.get("/dashboard/customers/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
    nobody = django_user_model.objects.create_user("nobody", password=PASSWORD)
    client.force_login(nobody, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/dashboard/customers/").status_code == 403


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (
            Role.SUPPORT_AGENT,
            ["/dashboard/customers/", "/dashboard/metrics/"],
            ["/dashboard/privacy/"],
        ),
        (
            Role.MARKETING,
            ["/dashboard/customers/", "/dashboard/metrics/"],
            ["/dashboard/privacy/records/"],
        ),
        (Role.PRIVACY_OFFICER, ["/dashboard/privacy/", "/dashboard/privacy/processors/"], []),
    ],
)
def test_each_role_reaches_its_pages_and_no_others(signed_in, role, allowed, denied):
    client, _user = signed_in(role)
    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in denied:
        assert client.get(url).status_code == 403, url


def test_sign_out_is_a_post(signed_in):
    client, _user = signed_in(Role.MARKETING)
    assert client.post("/dashboard/sign-out/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


@pytest.fixture
def _language_reset():
    # The locale middleware leaves the request's language active in this thread.
    yield
    translation.deactivate()


def test_the_dashboard_speaks_bahasa_indonesia(client, signed_in, _language_reset):
    page = client.get(SIGN_IN, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Masuk ke dasbor staf" in page
    staff, _user = signed_in(Role.PRIVACY_OFFICER)
    home = staff.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Masuk sebagai Petugas privasi" in home and "Meja privasi" in home
