"""Pages that show personal data are never kept by a cache: every answer of the portal,
the dashboard (customer pages, reveals, exports) and the lead confirmations carries
`Cache-Control: no-store`. The test walks the URLconf, so a new page is covered."""

import pytest
from django.test import Client

from access.roles import Role
from tests.portal.conftest import sign_in
from tests.url_walk import fill as _fill
from tests.url_walk import routes as _routes

pytestmark = pytest.mark.django_db(databases="__all__")


def _assert_no_store(client, urls) -> int:
    shown = 0
    for url in urls:
        response = client.get(url)
        assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
        shown += response.status_code == 200
    return shown


def test_every_portal_answer_is_no_store(customer):
    client = sign_in(Client(), customer)
    urls = [_fill(route, customer.pk) for route in _routes("portal")]
    assert "/portal/my-data/" in urls and "/portal/profile/" in urls
    assert _assert_no_store(client, urls) >= 8


def test_every_dashboard_answer_is_no_store_for_every_role(customer, make_staff):
    urls = [_fill(route, customer.pk) for route in _routes("dashboard")]
    assert f"/dashboard/customers/{customer.pk}/" in urls
    shown = 0
    for role in Role:
        client = Client()
        client.force_login(make_staff(role), backend="django.contrib.auth.backends.ModelBackend")
        shown += _assert_no_store(client, urls)
    assert shown >= 20


def test_the_customer_page_and_a_reveal_are_no_store(customer, make_staff):
    client = Client()
    staff = make_staff(Role.PRIVACY_OFFICER)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/dashboard/customers/{customer.pk}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    reveal = client.post(
        f"/dashboard/customers/{customer.pk}/reveal/",
        {"field": "email", "purpose": "access_request"},
    )
    assert "no-store" in reveal["Cache-Control"]


def test_lead_confirmations_and_the_signed_out_portal_are_no_store():
    client = Client()
    for url in ("/forms/confirm/not-a-token/", "/portal/sign-in/", "/portal/my-data/"):
        assert "no-store" in client.get(url).get("Cache-Control", ""), url
