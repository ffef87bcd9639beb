import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from portal.models import SignInAttempt, SignInCode
from tests.portal.conftest import code_from, link_from, sign_in

pytestmark = pytest.mark.django_db(databases="__all__")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def test_a_known_address_gets_a_code_and_a_link_in_text_and_html(client, customer):
    response = client.post("/portal/sign-in/", {"email": customer.email.upper()})
    assert response.status_code == 302 and response["Location"] == "/portal/sign-in/code/"
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert code_from(message) and link_from(message).startswith("/portal/sign-in/link/")
    html, mime = message.alternatives[0]
    assert mime == "text/html" and code_from(message) in html


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, customer):
    known = client.post("/portal/sign-in/", {"email": customer.email}, follow=True)
    mail.outbox.clear()
    client.cookies.clear()
    unknown = client.post("/portal/sign-in/", {"email": "nobody@example.com"}, follow=True)
    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert _same_page(known, unknown)


def _same_page(first, second) -> bool:
    """The pages differ at most in their CSRF tokens."""
    return CSRF.sub(b"", first.content) == CSRF.sub(b"", second.content)


def test_a_wrong_code_is_refused_and_the_unknown_address_answers_alike(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email})
    known = client.post("/portal/sign-in/code/", {"code": "000000"})
    client.cookies.clear()
    client.post("/portal/sign-in/", {"email": "nobody@example.com"})
    unknown = client.post("/portal/sign-in/code/", {"code": "000000"})
    assert known.status_code == unknown.status_code == 200
    assert _same_page(known, unknown)
    assert "That code is not right" in known.content.decode()


def test_the_code_signs_in_once_and_rotates_the_session(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email})
    before = client.cookies["custodian_portal"].value
    code = code_from(mail.outbox[-1])
    response = client.post("/portal/sign-in/code/", {"code": code})
    assert response["Location"] == "/portal/my-data/"
    assert client.cookies["custodian_portal"].value != before
    assert client.get("/portal/my-data/").status_code == 200
    client.post("/portal/sign-out/")
    client.post("/portal/sign-in/", {"email": "someone-else@example.com"})
    again = client.post("/portal/sign-in/code/", {"code": code})
    assert again.status_code == 200 and client.get("/portal/my-data/").status_code == 302


def test_a_used_code_does_not_work_again(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email})
    code = code_from(mail.outbox[-1])
    session_cookie = client.cookies["custodian_portal"].value
    client.post("/portal/sign-in/code/", {"code": code})
    row = SignInCode.objects.get(customer=customer)
    assert row.used_at is not None and row.code_hash != code
    client.cookies["custodian_portal"] = session_cookie
    response = client.post("/portal/sign-in/code/", {"code": code})
    assert response.status_code in (200, 302)
    assert client.get("/portal/my-data/").status_code == 302


def test_an_expired_code_is_refused(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email})
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/portal/sign-in/code/", {"code": code_from(mail.outbox[-1])})
    assert "has expired" in response.content.decode()
    assert client.get("/portal/my-data/").status_code == 302


def test_five_wrong_guesses_use_up_the_code(client, customer, settings):
    client.post("/portal/sign-in/", {"email": customer.email})
    code = code_from(mail.outbox[-1])
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(settings.VERIFICATION_MAX_ATTEMPTS):
        client.post("/portal/sign-in/code/", {"code": wrong})
    response = client.post("/portal/sign-in/code/", {"code": code})
    assert "has expired" in response.content.decode()
    assert client.get("/portal/my-data/").status_code == 302


def test_the_link_asks_before_signing_in_and_works_once(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email})
    link = link_from(mail.outbox[-1])
    assert client.get(link).status_code == 200
    assert client.get("/portal/my-data/").status_code == 302  # following it changed nothing
    assert client.post(link)["Location"] == "/portal/my-data/"
    assert client.get("/portal/my-data/").status_code == 200
    client.post("/portal/sign-out/")
    assert client.post(link)["Location"] == "/portal/sign-in/"
    assert client.get("/portal/my-data/").status_code == 302


def test_a_tampered_link_is_refused(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email})
    link = link_from(mail.outbox[-1])
    assert client.post(link[:-3] + "xyz/")["Location"] == "/portal/sign-in/"
    assert client.get("/portal/my-data/").status_code == 302


def test_requests_are_limited_per_address_whether_known_or_not(client, customer, settings):
    settings.PORTAL_SIGN_IN_PER_ADDRESS = 2
    for address in (customer.email, "nobody@example.com"):
        for _ in range(2):
            assert client.post("/portal/sign-in/", {"email": address}).status_code == 302
        refused = client.post("/portal/sign-in/", {"email": address})
        assert refused.status_code == 200
        assert "Too many sign-in requests" in refused.content.decode()
    assert len(mail.outbox) == 2  # only the known address's two codes


def test_requests_are_limited_per_client(client, settings):
    settings.PORTAL_SIGN_IN_PER_CLIENT = 3
    for number in range(3):
        client.post("/portal/sign-in/", {"email": f"p{number}@example.com"})
    refused = client.post("/portal/sign-in/", {"email": "p9@example.com"})
    assert "Too many sign-in requests" in refused.content.decode()
    other = client.post("/portal/sign-in/", {"email": "p9@example.com"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_attempts_are_stored_as_digests_not_addresses(client, customer):
    client.post("/portal/sign-in/", {"email": customer.email}, REMOTE_ADDR="203.0.113.7")
    stored = list(SignInAttempt.objects.values_list("digest", flat=True))
    assert len(stored) == 2
    assert all(customer.email not in digest and "203.0.113.7" not in digest for digest in stored)


def test_the_session_ends_when_idle(client, customer, settings):
    sign_in(client, customer)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/portal/my-data/")["Location"] == "/portal/sign-in/"


def test_signing_out_ends_the_session_and_is_audited(client, customer):
    sign_in(client, customer)
    client.post("/portal/sign-out/")
    assert client.get("/portal/my-data/").status_code == 302
    actions = set(
        AuditEvent.objects.filter(subject_id=customer.pk, actor="customer").values_list(
            "action", flat=True
        )
    )
    assert {AuditAction.PORTAL_SIGNED_IN, AuditAction.PORTAL_SIGNED_OUT} <= actions


def test_a_portal_session_is_not_a_staff_session(client, customer, django_user_model):
    sign_in(client, customer)
    assert client.get("/admin/").status_code == 302  # still asks for a staff login
    assert "_auth_user_id" not in client.session
