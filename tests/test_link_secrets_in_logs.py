"""Link secrets never reach a log (issue 25, item 8): the servers run as deployed
(gunicorn with gunicorn.conf.py) and as developers run them (runserver), a customer's
mail client opens every kind of secret link, and an attacker replays every URL the
captured logs hold. None signs in, confirms a consent or a lead, or unsubscribes."""

import re
import time
import uuid

import pytest
import requests
from django.core import mail
from django.db import connections
from django.urls import reverse

from campaigns.services import unsubscribe_token
from consent.models import ConsentSource
from consent.opt_in import request_confirmation
from consent.selectors import has_consent
from leads import services as lead_services
from leads.models import CaptureMethod, LeadConsent
from portal import signin
from runtime.secret_paths import redact_secret_paths
from tests.deployed import runserver_command, served_databases, serving
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        connections["default"].vendor != "postgresql",
        reason="the server process shares the test database: PostgreSQL only",
    ),
]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGGED_PATH = re.compile(r"/(?:portal|forms)/[^\s\"'\\]*")


COMMANDS = {"gunicorn": None, "runserver": runserver_command}


def serving_as(kind: str):
    """The server (`gunicorn` as deployed, or `runserver`) on the test databases."""
    return serving(
        {
            **served_databases(),
            "DEBUG": "false",
            "REDIS_URL": "",
            # Plain HTTP here: the replaying client must be able to send the cookies back.
            "CSRF_COOKIE_SECURE": "false",
            "SESSION_COOKIE_SECURE": "false",
        },
        command=COMMANDS[kind],
    )


@pytest.fixture
def secret_links(reference_data):
    """One link of every kind with a secret in its path, as mails carry them."""
    subscribed = CustomerFactory(
        consents={"account": True, "marketing_email": True}, email="sub@example.com"
    )
    signing_in = CustomerFactory(email="link@example.com")
    code_id = signin.request_code(email=signing_in.email)
    signin.mail_code(code_id=code_id)  # the job, when it has not run on commit already
    sign_in_path = re.search(r"/portal/sign-in/link/[^\s\"<]+", mail.outbox[-1].body).group()
    confirming = CustomerFactory(email="confirm@example.com")
    consent_token = request_confirmation(
        customer=confirming, purpose="marketing_email", source=ConsentSource.PORTAL, actor="t"
    )
    capture = lead_services.capture_lead(
        contact={"email": "optin@example.org"},
        purposes=["marketing_email"],
        source="site",
        method=CaptureMethod.FORM,
        channel="newsletter",
        actor="anonymous",
    )
    unsubscribe = unsubscribe_token(
        customer_id=subscribed.pk, purpose="marketing_email", campaign_id=uuid.uuid4()
    )
    return {
        "paths": [
            sign_in_path,
            reverse("portal:confirm_consent", args=[consent_token]),
            reverse("leads:confirm", args=[capture.tokens["marketing_email"]]),
            reverse("portal:unsubscribe", args=[unsubscribe]),
        ],
        "secrets": [
            sign_in_path.rstrip("/").rpartition("/")[2],
            consent_token,
            capture.tokens["marketing_email"],
            unsubscribe,
        ],
        "subscribed": subscribed,
        "confirming": confirming,
        "lead": capture.lead,
    }


def _replay(base: str, path: str) -> str | None:
    """What an attacker with the log does: open the URL, press its button. Returns
    where a successful sign-in would lead (None when nothing was signed in)."""
    session = requests.Session()
    page = session.get(base + path, timeout=10, allow_redirects=False)
    token = CSRF.search(page.text)
    data = {"csrfmiddlewaretoken": token.group(1)} if token else {}
    answer = session.post(base + path, data=data, timeout=10, allow_redirects=False)
    location = answer.headers.get("Location", "")
    return location if location.endswith("/portal/my-data/") else None


@pytest.mark.parametrize("kind", ["gunicorn", "runserver"])
def test_replaying_every_url_a_captured_log_holds_acts_on_nothing(kind, secret_links):
    with serving_as(kind) as served:
        base = served.base
        for path in secret_links["paths"]:
            # The customer's mail client opens the link (a GET shows its button) ...
            assert requests.get(base + path, timeout=10).status_code == 200, path
            # ... and variants end up in Django's request logger too (404, redirect).
            requests.get(base + path + "more/", timeout=10)
            requests.get(base + path.rstrip("/"), timeout=10, allow_redirects=False)
        time.sleep(0.5)
        captured = served.log()
        logged = sorted(set(LOGGED_PATH.findall(captured)))
        replays = {path: _replay(base, path) for path in logged}

    assert not [path for path, signed_in in replays.items() if signed_in]
    assert has_consent(secret_links["subscribed"].pk, "marketing_email")
    assert not has_consent(secret_links["confirming"].pk, "marketing_email")
    assert not LeadConsent.objects.filter(lead=secret_links["lead"]).exists()
    # The requests were logged, with their secrets redacted.
    assert "/portal/sign-in/link/" in captured and "[redacted]" in captured
    assert "Not Found" in captured  # Django's request logger had its say
    for secret in secret_links["secrets"]:
        assert secret not in captured


def test_redaction_is_derived_from_the_routes_that_declare_a_secret():
    from runtime.secret_paths import secret_route_expressions

    routes = {expression.pattern.split("(")[0] for expression in secret_route_expressions()}
    assert routes == {
        "/portal/sign\\-in/link/",
        "/portal/consents/confirm/",
        "/portal/profile/email/undo/",
        "/portal/unsubscribe/",
        "/forms/confirm/",
    }
    line = '"GET /portal/unsubscribe/abc:def HTTP/1.1" 200 1 /forms/newsletter/'
    assert redact_secret_paths(line) == (
        '"GET /portal/unsubscribe/[redacted] HTTP/1.1" 200 1 /forms/newsletter/'
    )
