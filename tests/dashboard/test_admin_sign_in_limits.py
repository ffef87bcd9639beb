"""The admin's own sign-in page is limited like the dashboard's: django-axes counts
wrong passwords for a username from either page, and locks it."""

import pytest

from access.roles import Role
from tests.dashboard.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")


def test_wrong_passwords_on_the_admin_sign_in_lock_the_username(client, make_staff, settings):
    make_staff(Role.ADMINISTRATOR, username="ada", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "ada", "password": "wrong"})
    locked = client.post("/admin/login/?next=/admin/", {"username": "ada", "password": PASSWORD})
    assert locked.status_code == 429
    assert not client.get("/admin/").wsgi_request.user.is_authenticated
    # The dashboard's sign-in refuses the same username: one count for both pages.
    dashboard = client.post("/dashboard/sign-in/", {"username": "ada", "password": PASSWORD})
    assert dashboard.status_code == 429
