"""Issue 25 item 6: the sign-in pages say nothing about who is a customer: the same
words, status and work for a known and an unknown address, and a mail outage that
answers the same and loses nothing (the mail is an outbox job, sent after the response).
The timing, as deployed, is measured in test_sign_in_timing.py."""

import re
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from outbox.models import Job
from outbox.services import dispatch_pending
from portal.models import SignInCode
from tests.portal.conftest import code_from

pytestmark = pytest.mark.django_db(databases="__all__")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
STRANGER = "nobody@example.com"


def _page(response) -> bytes:
    return CSRF.sub(b"", response.content)


def _ask(client, email):
    client.cookies.clear()
    return client.post("/portal/sign-in/", {"email": email})


def test_a_code_asked_for_again_answers_alike_for_a_known_and_an_unknown_address(client, customer):
    """The first challenge of an address stops working when the address asks again,
    whoever it belongs to (a known address used to answer "expired", an unknown one
    "not right")."""
    pages = {}
    for email in (customer.email, STRANGER):
        _ask(client, email)
        first = client.cookies["custodian_portal"].value
        _ask(client, email)
        client.cookies["custodian_portal"] = first
        pages[email] = client.post("/portal/sign-in/code/", {"code": "000000"})
    known, unknown = pages[customer.email], pages[STRANGER]
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)


def test_an_old_challenge_answers_alike_for_a_known_and_an_unknown_address(client, customer):
    pages = {}
    for email in (customer.email, STRANGER):
        _ask(client, email)
        SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        pages[email] = client.post("/portal/sign-in/code/", {"code": "000000"})
    assert _page(pages[customer.email]) == _page(pages[STRANGER])
    assert "has expired" in pages[STRANGER].content.decode()


def test_every_wrong_guess_answers_alike_until_the_code_is_used_up(client, customer, settings):
    answers = {}
    for email in (customer.email, STRANGER):
        _ask(client, email)
        answers[email] = [
            _page(client.post("/portal/sign-in/code/", {"code": "000000"}))
            for _ in range(settings.VERIFICATION_MAX_ATTEMPTS + 2)
        ]
    assert answers[customer.email] == answers[STRANGER]
    assert b"not right" in answers[STRANGER][0] and b"has expired" in answers[STRANGER][-1]


def test_a_known_and_an_unknown_address_cause_the_same_rows_and_jobs(client, customer):
    """The request's work is the same (one challenge, one outbox job); what differs is
    done by the job, after the response: a mail to the customer, nothing to a stranger."""
    _ask(client, customer.email)
    assert (SignInCode.objects.count(), Job.objects.count()) == (1, 1)
    assert len(mail.outbox) == 1
    _ask(client, STRANGER)
    assert (SignInCode.objects.count(), Job.objects.count()) == (2, 2)
    assert len(mail.outbox) == 1
    stranger = SignInCode.objects.get(customer__isnull=True)
    assert stranger.mailed_at is not None and stranger.code_hash == ""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_mail_outage_answers_alike_and_the_code_is_mailed_when_the_server_is_back(
    client, customer, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_TIMEOUT = 2
    known = _ask(client, customer.email)
    known_next = client.get(known["Location"])
    unknown = _ask(client, STRANGER)
    unknown_next = client.get(unknown["Location"])
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert _page(known_next) == _page(unknown_next)
    retry = Job.objects.get(dispatched_at__isnull=True)
    assert retry.task == "portal.tasks.mail_sign_in_code" and retry.available_at > timezone.now()

    # The mail server is back; the sweep hands the retry over when it is due.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Job.objects.filter(pk=retry.pk).update(available_at=timezone.now())
    dispatch_pending()
    (message,) = mail.outbox
    assert message.to == [customer.email]
    client.cookies.clear()
    client.cookies["custodian_portal"] = _session_of(known)
    signed_in = client.post("/portal/sign-in/code/", {"code": code_from(message)})
    assert signed_in["Location"] == "/portal/my-data/"


def _session_of(response) -> str:
    return response.cookies["custodian_portal"].value


def test_the_mail_speaks_the_language_of_the_page_it_was_asked_on(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email}, HTTP_ACCEPT_LANGUAGE="id")
    (message,) = mail.outbox
    assert "Kode" in message.body or "kode" in message.body
