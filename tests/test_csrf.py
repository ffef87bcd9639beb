"""Issue 16, item 3: CSRF is enforced on every form. Each URL of the portal and the
dashboard (so every form a page posts to, and any added later), the admin's forms and
the language switch: a POST without the token is refused by Django's CSRF check, signed
in or not, and the same POST with the token gets past it."""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from access.roles import Role
from tests.factories import CustomerFactory
from tests.portal.conftest import sign_in as portal_sign_in

pytestmark = pytest.mark.django_db(databases="__all__")

KWARGS = {
    "customer_id": uuid.uuid4(),
    "request_id": uuid.uuid4(),
    "erasure_id": uuid.uuid4(),
    "carrier_id": uuid.uuid4(),
    "incident_id": uuid.uuid4(),
    "ticket_id": uuid.uuid4(),
    "lead_id": uuid.uuid4(),
    "deal_id": 1,
    "campaign_id": uuid.uuid4(),
    "segment_id": uuid.uuid4(),
    "recipient_id": 1,
    "event_id": 1,
    "code_id": uuid.uuid4(),
    "undo_id": uuid.uuid4(),
    "secret": "x" * 20,
    "token": "token",
    "slug": "customers",
}


def every_url(resolver=None, namespace: str = "") -> list[str]:
    """Every page URL of the portal, the dashboard and any surface added later (the API
    takes keys, not sessions; the admin's forms are listed below)."""
    resolver = resolver or get_resolver()
    urls = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLPattern):
            if namespace and entry.name:
                kwargs = {k: KWARGS[k] for k in entry.pattern.converters}
                urls.append(reverse(f"{namespace}:{entry.name}", kwargs=kwargs))
        elif entry.namespace not in ("admin", "api", None):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            urls.extend(every_url(entry, inner))
    return urls


OTHER_FORMS = [
    "/i18n/setlang/",
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_change/",
    "/admin/customers/customer/",
    "/admin/auth/user/add/",
    "/admin/disposal/processor/add/",
    "/admin/api/storefrontkey/add/",
    "/admin/disposal/retentionpolicy/",
]
# RFC 8058 one-click unsubscribe: a mail client POSTs without any page or token of ours,
# so the view is CSRF-exempt by design; the signed, single-purpose token in the URL is its
# protection (tests/campaigns test that a forged or altered token withdraws nothing).
ONE_CLICK = {"/portal/unsubscribe/token/"}
FORM_URLS = [url for url in every_url() if url not in ONE_CLICK] + OTHER_FORMS


def test_only_the_one_click_unsubscribe_is_exempt():
    assert set(every_url()) >= ONE_CLICK


def test_the_list_reaches_every_portal_and_dashboard_form():
    assert "/portal/profile/" in FORM_URLS and "/dashboard/sign-in/" in FORM_URLS
    assert len(FORM_URLS) >= 50


@pytest.fixture
def clients(client, admin_user):
    """A client signed in to the portal as a customer and to the dashboard and admin as an
    administrator, and one with the same cookies that enforces CSRF as browsers get it."""
    portal_sign_in(client, CustomerFactory())
    client.force_login(admin_user, "django.contrib.auth.backends.ModelBackend")
    from access.staff import save_staff_user

    save_staff_user(username=admin_user.username, role=Role.ADMINISTRATOR, password=None)
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.cookies = client.cookies
    return client, enforcing


@pytest.mark.parametrize("url", FORM_URLS)
def test_a_post_without_the_token_is_refused(clients, url):
    _client, enforcing = clients
    response = enforcing.post(url, {"email": "a@example.com", "code": "123456"})
    assert response.status_code == 403, url
    assert b"CSRF" in response.content


@pytest.mark.parametrize("url", FORM_URLS)
def test_a_post_without_the_token_is_refused_when_signed_out(url):
    response = Client(enforce_csrf_checks=True).post(url, {"email": "a@example.com"})
    assert response.status_code == 403 and b"CSRF" in response.content, url


@pytest.mark.parametrize("url", ["/portal/sign-in/", "/dashboard/sign-in/", "/i18n/setlang/"])
def test_the_same_post_with_the_token_gets_past_the_check(url):
    browser = Client(enforce_csrf_checks=True)
    browser.get(url if url != "/i18n/setlang/" else "/portal/sign-in/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(url, {"email": "a@example.com", "csrfmiddlewaretoken": token})
    assert response.status_code != 403
