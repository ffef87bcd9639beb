"""Issue 16, item 3, on the portal: someone else's ids in URLs and forms reach nobody
else's data; extra form fields write nothing; NUL bytes, broken UTF-8, right-to-left text
and emoji in every text field; HTML- and SQL-looking values stored as given and shown
escaped; oversized bodies refused. (Sign-in and code limits: tests/portal/test_sign_in.py.)"""

import pytest
from django.core import signing

from audit.models import AuditEvent
from consent.models import ConsentSource
from consent.opt_in import CONFIRMATION_SALT, request_confirmation
from consent.selectors import current_consents
from customers.models import Customer
from disposal.models import ErasureRequest
from tests.factories import CustomerFactory
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db(databases="__all__")

HTMLISH = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQLISH = "O'Brien'); DROP TABLE customers_customer; --"
RTL = "\u202e\u0645\u0631\u062d\u0628\u0627 \u05e2\u05d5\u05dc\u05dd\u202c"  # Arabic, Hebrew
EMOJI = "Zoë 👩🏽‍💻"


@pytest.fixture
def ana(client, customer):
    return sign_in(client, customer), customer


@pytest.fixture
def bob():
    return CustomerFactory(full_name="Bob Other", email="bob@example.com")


PAGES = [
    "/portal/my-data/",
    "/portal/recommendations/",
    "/portal/access-log/",
    "/portal/export/",
    "/portal/export/my-data.json",
    "/portal/export/summary/",
    "/portal/profile/",
    "/portal/consents/",
    "/portal/close-account/",
]


@pytest.mark.parametrize("page", PAGES)
def test_another_customers_id_in_the_query_shows_only_my_own_data(ana, bob, page):
    client, _me = ana
    for name in ("customer", "customer_id", "id", "subject", "pk"):
        response = client.get(page, {name: str(bob.pk)})
        assert response.status_code == 200, page
        body = b"".join(response) if response.streaming else response.content
        assert b"Bob Other" not in body and b"bob@example.com" not in body
    assert not AuditEvent.objects.filter(subject_id=bob.pk, actor="customer").exists()


def test_extra_fields_in_the_profile_form_write_nothing_of_anyone(ana, bob):
    client, me = ana
    body = {
        "full_name": "Ana New",
        "phone": "",
        "postal_address": "",
        "email": "stolen@example.com",
        "customer": str(bob.pk),
        "customer_id": str(bob.pk),
        "id": str(bob.pk),
    }
    response = client.post("/portal/profile/", body)
    assert response.status_code == 302
    me.refresh_from_db()
    bob.refresh_from_db()
    assert me.full_name == "Ana New" and me.email != "stolen@example.com"
    assert bob.full_name == "Bob Other" and bob.email == "bob@example.com"


def test_a_consent_change_naming_another_customer_changes_only_mine(ana, bob):
    client, me = ana
    before = current_consents(bob.pk)["analytics"].granted
    body = {"purpose": "analytics", "granted": "yes", "customer": str(bob.pk)}
    client.post("/portal/consents/change/", body)
    assert current_consents(me.pk)["analytics"].granted
    assert current_consents(bob.pk)["analytics"].granted == before


def test_closing_my_account_with_another_customers_id_closes_only_mine(ana, bob):
    client, me = ana
    client.post("/portal/close-account/", {"confirm": "on", "customer_id": str(bob.pk)})
    assert list(ErasureRequest.objects.values_list("subject_id", flat=True)) in ([me.pk], [None])
    assert Customer.objects.filter(pk=bob.pk).exists()
    assert not ErasureRequest.objects.filter(subject_id=bob.pk).exists()


def test_a_confirmation_link_re_bound_to_me_but_naming_bobs_row_is_refused(ana, bob):
    client, me = ana
    token = request_confirmation(
        customer=bob, purpose="marketing_email", source=ConsentSource.PORTAL, actor="customer"
    )
    payload = signing.loads(token, salt=CONFIRMATION_SALT)
    forged = signing.dumps({**payload, "c": str(me.pk)}, salt=CONFIRMATION_SALT)
    for tampered in (forged, token[:-2] + "xx"):
        response = client.post(f"/portal/consents/confirm/{tampered}/")
        assert response.status_code == 400
    assert not current_consents(me.pk)["marketing_email"].granted
    assert not current_consents(bob.pk)["marketing_email"].granted


def test_another_customers_sign_in_link_id_with_a_guessed_secret_signs_nobody_in(client, bob):
    from django.core import mail

    from tests.portal.conftest import link_from

    client.post("/portal/sign-in/", {"email": bob.email})
    link = link_from(mail.outbox[-1])
    code_id = link.rstrip("/").split("/")[-2]
    response = client.post(f"/portal/sign-in/link/{code_id}/{'A' * 43}/")
    assert response.status_code == 302 and response["Location"] == "/portal/sign-in/"
    assert client.get("/portal/my-data/").status_code == 302


@pytest.mark.parametrize("field", ["full_name", "postal_address"])
@pytest.mark.parametrize(
    "value", [HTMLISH, SQLISH, RTL, EMOJI], ids=["html", "sql", "rtl", "emoji"]
)
def test_unusual_text_is_saved_as_typed_and_shown_escaped(ana, field, value):
    client, me = ana
    body = {"full_name": me.full_name, "phone": "", "postal_address": "", field: value}
    assert client.post("/portal/profile/", body).status_code == 302
    me.refresh_from_db()
    assert getattr(me, field) == value
    html = client.get("/portal/my-data/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    from django.utils.html import escape

    assert escape(value) in html


@pytest.mark.parametrize("field", ["full_name", "phone", "postal_address"])
def test_a_nul_byte_in_a_profile_field_is_a_form_error_and_keeps_the_data(ana, field):
    client, me = ana
    before = Customer.objects.filter(pk=me.pk).values().get()
    body = {"full_name": me.full_name, "phone": "", "postal_address": "", field: "a\x00b"}
    response = client.post("/portal/profile/", body)
    assert response.status_code in (200, 400)
    assert b"There is a problem" in response.content
    assert Customer.objects.filter(pk=me.pk).values().get() == before


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/portal/sign-in/", "email"),
        ("/portal/sign-in/code/", "code"),
        ("/portal/profile/", "full_name"),
        ("/portal/profile/email/", "email"),
        ("/portal/profile/email/confirm/", "code"),
        ("/portal/consents/change/", "purpose"),
    ],
)
@pytest.mark.parametrize(
    "raw",
    [b"a%00b", b"%ED%A0%80", b"%FF%FE", "\u202e👩🏽‍💻".encode()],
    ids=["nul", "surrogate", "bad", "rtl-emoji"],
)
def test_odd_bytes_in_any_portal_form_field_never_cause_a_500(ana, url, field, raw):
    client, _me = ana
    body = field.encode() + b"=" + raw + b"&full_name=Ana"
    response = client.generic("POST", url, body, "application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_an_oversized_form_body_is_a_400(ana, settings):
    client, me = ana
    before = me.full_name
    body = {"full_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = client.post("/portal/profile/", body)
    assert response.status_code in (400, 413)
    me.refresh_from_db()
    assert me.full_name == before
