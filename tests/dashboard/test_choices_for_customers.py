"""Recording a choice on the customer's behalf (issue 27.3): "stop calling me" from the
360 view withdraws the purpose in the customer's ledger (source staff, the channel, the
staff member as actor), audited and shown in the portal's choice history; a grant needs
the notice read out or sent; a double opt-in purpose is only asked for, by the portal's
own confirmation link."""

import re

import pytest
from django.core import mail

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from consent.models import ConsentConfirmation, ConsentEvent, ConsentSource
from consent.selectors import has_consent
from customers.models import Interaction

pytestmark = pytest.mark.django_db(databases="__all__")

ALL_MARKETING = {
    "account": True,
    "marketing_phone": True,
    "marketing_post": True,
    "marketing_email": False,
}


@pytest.fixture
def caller(make_customer):
    return make_customer(full_name="Sam Morin", consents=ALL_MARKETING)


def _choose(client, customer, **values):
    body = {"purpose": "marketing_phone", "choice": "withdraw", "channel": "phone"}
    body.update(values)
    return client.post(f"/dashboard/customers/{customer.pk}/choices/", body)


def test_stop_calling_me_withdraws_marketing_phone_as_the_customers_choice(signed_in, caller):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    page = client.get(f"/dashboard/customers/{caller.pk}/").content.decode()
    assert "Record a choice for the customer" in page and "Offers by phone" in page
    response = _choose(client, caller, note="Asked us to stop calling her")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/customers/{caller.pk}/#consents"
    assert not has_consent(caller.pk, "marketing_phone")
    event = ConsentEvent.objects.filter(customer=caller, purpose_id="marketing_phone").first()
    assert not event.granted and event.source == ConsentSource.STAFF
    assert event.channel == "phone" and event.actor == f"staff:{agent.pk}"
    audit = AuditEvent.objects.get(
        subject_id=caller.pk, action=AuditAction.CONSENT_WITHDRAWN, object_id="marketing_phone"
    )
    assert audit.actor == f"staff:{agent.pk}" and audit.metadata["channel"] == "phone"
    assert "stop calling" not in str(audit.metadata)
    note = Interaction.objects.get(customer=caller)
    assert note.note == "Asked us to stop calling her" and note.channel == "phone"
    shown = client.get(response["Location"]).content.decode()
    assert "Offers by phone: withdrawn for the customer." in shown
    assert "marketing_phone</td>" not in shown  # the purpose's name, never its code


def test_the_portal_shows_the_staff_recorded_choice_in_the_history(signed_in, caller, client):
    from tests.portal.conftest import sign_in as portal_sign_in

    staff_client, _agent = signed_in(Role.SUPPORT_AGENT)
    _choose(staff_client, caller, channel="post", purpose="marketing_post")
    staff_client.logout()
    portal_sign_in(client, caller)
    page = client.get("/portal/my-data/").content.decode()
    history = page[page.index('class="history"') :]
    assert "Offers by post" in history and "withdrawn" in history
    assert "recorded by our staff from your letter" in history


def test_an_agreement_needs_the_notice_read_out_or_sent(signed_in, make_customer):
    client, _agent = signed_in(Role.PRIVACY_OFFICER)
    quiet = make_customer(consents={"account": True})
    refused = _choose(client, quiet, choice="grant", purpose="marketing_post")
    assert refused.status_code == 400
    assert "notice read out or sent" in refused.content.decode()
    assert not has_consent(quiet.pk, "marketing_post")
    granted = _choose(
        client, quiet, choice="grant", purpose="marketing_post", notice_delivery="read_out"
    )
    assert granted.status_code == 302 and has_consent(quiet.pk, "marketing_post")
    event = ConsentEvent.objects.filter(customer=quiet, purpose_id="marketing_post").first()
    assert event.notice_delivery == "read_out" and event.source == ConsentSource.STAFF


def test_a_double_opt_in_purpose_is_only_asked_for(signed_in, make_customer, settings):
    settings.CONSENT_DOUBLE_OPT_IN = ["marketing_email"]
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    quiet = make_customer(email="quiet@example.com", consents={"account": True})
    response = _choose(
        client, quiet, choice="grant", purpose="marketing_email", notice_delivery="sent"
    )
    assert response.status_code == 302
    assert not has_consent(quiet.pk, "marketing_email")
    pending = ConsentConfirmation.objects.get(customer=quiet, purpose_id="marketing_email")
    assert pending.source == ConsentSource.STAFF and pending.confirmed_at is None
    assert mail.outbox[-1].to == ["quiet@example.com"]
    link = re.search(r"https?://\S+/portal/\S+", mail.outbox[-1].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]
    client.post(path)
    assert has_consent(quiet.pk, "marketing_email")


@pytest.mark.parametrize(
    ("values", "field_message"),
    [
        ({"purpose": "account"}, "Select a valid choice"),
        (
            {
                "purpose": "sensitive_personalization",
                "choice": "grant",
                "notice_delivery": "read_out",
            },
            "Select a valid choice",
        ),
        ({"purpose": "nonsense"}, "Select a valid choice"),
        ({"channel": "carrier pigeon"}, "Select a valid choice"),
        ({"note": "x" * 3000}, "at most 2000"),
    ],
)
def test_bad_choices_are_form_errors_and_change_nothing(signed_in, caller, values, field_message):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    before = ConsentEvent.objects.count()
    response = _choose(client, caller, **values)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert ConsentEvent.objects.count() == before


def test_marketing_cannot_record_choices(signed_in, caller):
    client, _user = signed_in(Role.MARKETING)
    assert _choose(client, caller).status_code == 403
    assert has_consent(caller.pk, "marketing_phone")


def test_the_choice_form_and_its_errors_speak_bahasa_indonesia(signed_in, caller):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    client.cookies["django_language"] = "id"
    page = client.get(f"/dashboard/customers/{caller.pk}/").content.decode()
    assert "Catat pilihan untuk pelanggan" in page and "Penawaran melalui telepon" in page
    assert "Dibacakan kepada pelanggan" in page
    refused = _choose(client, caller, choice="grant", purpose="marketing_post")
    assert "Persetujuan memerlukan pemberitahuan" in refused.content.decode()
