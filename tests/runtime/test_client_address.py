"""Per-client limits behind the TLS proxy (PROXY_COUNT): each visitor is counted on its
own, and a forged X-Forwarded-For changes nothing, behind the proxy or without one."""

import pytest
from django.core.cache import cache

from leads.models import LeadForm

pytestmark = pytest.mark.django_db(databases="__all__")

PROXY = "127.0.0.1"  # the TLS proxy on the host, as gunicorn sees every request


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, number: int, forwarded: str | None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post("/portal/sign-in/", {"email": f"p{number}@example.com"}, **extra)
    return "Too many sign-in requests" not in response.content.decode()


def test_behind_the_proxy_one_visitor_cannot_lock_out_everyone(client, settings):
    settings.PROXY_COUNT = 1
    settings.PORTAL_SIGN_IN_PER_CLIENT = 3
    for number in range(3):
        assert _sign_in(client, number, "203.0.113.7")
    assert not _sign_in(client, 9, "203.0.113.7")
    # Another visitor, through the same proxy, is counted on its own.
    assert _sign_in(client, 10, "198.51.100.20")


def test_behind_the_proxy_a_forged_header_entry_changes_nothing(client, settings):
    settings.PROXY_COUNT = 1
    settings.PORTAL_SIGN_IN_PER_CLIENT = 3
    # The client writes its own X-Forwarded-For; the proxy appends the real address.
    for number in range(3):
        assert _sign_in(client, number, f"10.9.9.{number}, 203.0.113.7")
    assert not _sign_in(client, 9, "10.9.9.99, 203.0.113.7")
    assert not _sign_in(client, 10, "garbage, 203.0.113.7")


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, settings):
    settings.PROXY_COUNT = 0  # the default: a direct client
    settings.PORTAL_SIGN_IN_PER_CLIENT = 3
    for number in range(3):
        assert _sign_in(client, number, f"10.0.0.{number}", remote="203.0.113.7")
    assert not _sign_in(client, 9, "10.0.0.99", remote="203.0.113.7")
    assert not _sign_in(client, 10, None, remote="203.0.113.7")


def test_a_request_that_skipped_the_proxy_is_counted_by_its_own_address(client, settings):
    settings.PROXY_COUNT = 2
    settings.PORTAL_SIGN_IN_PER_CLIENT = 2
    # Two proxies expected, one entry given: the header is not trusted at all.
    for number in range(2):
        assert _sign_in(client, number, f"10.0.0.{number}", remote="203.0.113.7")
    assert not _sign_in(client, 9, "10.0.0.99", remote="203.0.113.7")


def test_the_lead_form_limit_counts_each_visitor_behind_the_proxy(client, settings):
    settings.PROXY_COUNT = 1
    settings.LEADS_FORM_PER_CLIENT = 2
    LeadForm.objects.create(
        slug="newsletter", name="Newsletter", source="website", purposes=["marketing_post"]
    )

    def post(number: int, forwarded: str):
        data = {
            "email": f"form{number}@example.org",
            "full_name": "Fay Form",
            "website": "",
            "purposes": ["marketing_post"],
        }
        return client.post(
            "/forms/newsletter/", data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [post(n, f"10.1.1.{n}, 203.0.113.7") for n in range(2)] != [429, 429]
    assert post(3, "10.1.1.3, 203.0.113.7") == 429  # forged left entries change nothing
    assert post(4, "198.51.100.20") != 429  # another visitor is not blocked


def test_staff_lockout_records_name_the_client_through_the_proxy(settings, rf):
    from axes.helpers import get_client_ip_address

    settings.PROXY_COUNT = 1
    request = rf.post("/dashboard/sign-in/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert get_client_ip_address(request) == "203.0.113.7"


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_as_deployed_behind_the_proxy_visitors_are_counted_apart(reference_data):
    """gunicorn with gunicorn.conf.py and PROXY_COUNT=1, asked through loopback as the
    TLS proxy asks it: one visitor's requests lock out that visitor only, and a forged
    header entry changes nothing."""
    import re

    import requests
    from django.db import connections

    from tests.deployed import served_databases, serving

    if connections["default"].vendor != "postgresql":
        pytest.skip("the server process shares the test database: PostgreSQL only")

    def ask(session, base, number, forwarded) -> bool:
        page = session.get(f"{base}/portal/sign-in/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = session.post(
            f"{base}/portal/sign-in/",
            data={"csrfmiddlewaretoken": token, "email": f"p{number}@example.com"},
            headers={"X-Forwarded-For": forwarded},
            timeout=10,
            allow_redirects=False,
        )
        return "Too many sign-in requests" not in answer.text

    env = {
        **served_databases(),
        "REDIS_URL": "",
        "DEBUG": "false",
        # Plain HTTP here: the client must be able to send the cookies back.
        "CSRF_COOKIE_SECURE": "false",
        "SESSION_COOKIE_SECURE": "false",
        "PROXY_COUNT": "1",
        "PORTAL_SIGN_IN_PER_CLIENT": "3",
    }
    with serving(env) as served:
        base = served.base
        session = requests.Session()
        for number in range(3):
            assert ask(session, base, number, f"10.9.9.{number}, 203.0.113.7")
        assert not ask(session, base, 9, "10.9.9.99, 203.0.113.7")
        assert ask(session, base, 10, "198.51.100.20")
