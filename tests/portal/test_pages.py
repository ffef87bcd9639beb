"""Each portal page, driven as a signed-in customer; every action lands in the data
staff see and in the audit log, under the actor `customer`."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from access.roles import Role
from access.services import reveal_fields
from api.models import StorefrontKey
from audit.models import AuditAction, AuditEvent
from audit.services import record_access
from consent.models import ConsentEvent, Notice, NoticeText
from consent.selectors import current_consents
from customers.models import Customer, Interaction
from customers.services import PurchaseLine, record_interaction, record_purchases
from disposal.models import ErasureRequest, ErasureSource, ErasureStatus, Processor
from disposal.processors import disclose, save_processor
from disposal.services import request_erasure
from recommendations.services import build_model
from tests.portal.conftest import code_from, sign_in

pytestmark = pytest.mark.django_db(databases="__all__")


def customer_events(customer, action):
    return AuditEvent.objects.filter(subject_id=customer.pk, actor="customer", action=action)


def test_pages_ask_for_sign_in_first(client):
    for path in ("/portal/my-data/", "/portal/consents/", "/portal/export/my-data.json"):
        assert client.get(path)["Location"] == "/portal/sign-in/"


def test_my_data_shows_everything_held_with_retention_and_holds(signed_in, customer, make_product):
    product = make_product(sku="TEA-1", name="Green tea")
    record_purchases(
        lines=[PurchaseLine(customer.pk, "o-1", "TEA-1", 2, Decimal("3.50"), timezone.now())],
        actor="system",
    )
    record_interaction(
        customer=customer, channel="phone", note="Asked about delivery", actor="system"
    )
    processor = save_processor(
        processor=Processor(name="Parcel Co", agreement_reference="DPA-1",
                            agreement_signed_on="2026-01-01", categories=["profile"],
                            webhook_url="https://parcel.example/hook"),
        webhook_secret="s",
    )  # fmt: skip
    disclose(processor=processor, customer_id=customer.pk, categories=["profile"], actor="system")
    page = signed_in.get("/portal/my-data/").content.decode()
    for shown in (customer.full_name, customer.email, product.name, "Asked about delivery",
                  "Parcel Co", "notice version 1", "3 years", "tax law"):  # fmt: skip
        assert shown in page
    assert customer_events(customer, AuditAction.PORTAL_VIEWED).count() == 1


@pytest.mark.usefixtures("no_min_support")
def test_recommendations_say_why(signed_in, customer, make_customer, make_product):
    a, b, c = (make_product(sku=sku, name=f"Product {sku}") for sku in ("A", "B", "C"))
    orders = iter(range(1000))

    def buy(who, *products):
        number = next(orders)
        record_purchases(
            lines=[PurchaseLine(who.pk, f"o-{number}", p.sku, 1, Decimal("1"),
                                timezone.now() - timedelta(days=50 - number)) for p in products],
            actor="system",
        )  # fmt: skip

    for _ in range(3):
        buy(make_customer(), a, b)
    buy(make_customer(), c)
    buy(customer, a)
    build_model()
    page = signed_in.get("/portal/recommendations/").content.decode()
    assert "Because you bought Product A." in page
    assert "Popular with other customers." in page  # C fills the list


def test_a_bad_phone_gets_the_services_message_and_changes_nothing(signed_in, customer):
    response = signed_in.post(
        "/portal/profile/", {"full_name": "Ada L", "phone": "12", "postal_address": ""}
    )
    assert response.status_code == 200
    assert "Enter a valid phone number" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).full_name == customer.full_name


def test_a_good_correction_is_saved_and_audited(signed_in, customer):
    response = signed_in.post(
        "/portal/profile/",
        {"full_name": "Ada Lovelace", "phone": "+62 21 5550 100", "postal_address": "Jl. 1"},
    )
    assert response["Location"] == "/portal/my-data/"
    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.full_name, saved.phone, saved.postal_address) == (
        "Ada Lovelace", "+62215550100", "Jl. 1"
    )  # fmt: skip
    event = customer_events(customer, AuditAction.CUSTOMER_UPDATED).get()
    assert "Ada" not in json.dumps(event.metadata)


def test_a_new_email_takes_effect_only_with_the_code_sent_to_it(signed_in, customer):
    old = customer.email
    signed_in.post("/portal/profile/email/", {"email": "new.address@example.com"})
    (message,) = mail.outbox
    assert message.to == ["new.address@example.com"]
    assert Customer.objects.get(pk=customer.pk).email == old
    wrong = signed_in.post("/portal/profile/email/confirm/", {"code": "abc"})
    assert "not right" in wrong.content.decode()
    signed_in.post("/portal/profile/email/confirm/", {"code": code_from(message)})
    assert Customer.objects.get(pk=customer.pk).email == "new.address@example.com"
    assert customer_events(customer, AuditAction.EMAIL_CHANGE_REQUESTED).exists()


def test_withdrawing_takes_effect_at_once_in_the_ledger_with_source_portal(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "personalization", "granted": "no"})
    assert current_consents(customer.pk)["personalization"].granted is False
    event = ConsentEvent.objects.filter(customer=customer, purpose="personalization").first()
    assert (event.granted, event.source, event.actor) == (False, "portal", "customer")
    assert customer_events(customer, AuditAction.CONSENT_WITHDRAWN).exists()


def test_email_marketing_needs_the_mailed_link_which_works_once(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "marketing_email", "granted": "yes"})
    assert current_consents(customer.pk)["marketing_email"].granted is False
    link = mail.outbox[-1].body.split("http://127.0.0.1:8000")[1].split()[0]
    assert signed_in.get(link).status_code == 200
    assert current_consents(customer.pk)["marketing_email"].granted is False
    assert signed_in.post(link).status_code == 200
    assert current_consents(customer.pk)["marketing_email"].granted is True
    reused = signed_in.post(link)
    assert reused.status_code == 400 and "already used" in reused.content.decode()
    assert ConsentEvent.objects.filter(customer=customer, purpose="marketing_email").count() == 1


def test_a_forged_confirmation_link_changes_nothing(signed_in, customer, make_customer):
    signed_in.post("/portal/consents/change/", {"purpose": "marketing_email", "granted": "yes"})
    link = mail.outbox[-1].body.split("http://127.0.0.1:8000")[1].split()[0]
    token = link.split("/")[-2]
    forged = link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert signed_in.post(forged).status_code == 400
    assert signed_in.post("/portal/consents/confirm/not-a-token/").status_code == 400
    assert current_consents(customer.pk)["marketing_email"].granted is False


def test_sensitive_personalization_needs_its_explicit_box(signed_in, customer):
    change = {"purpose": "sensitive_personalization", "granted": "yes"}
    signed_in.post("/portal/consents/change/", change)
    assert current_consents(customer.pk)["sensitive_personalization"].granted is False
    signed_in.post("/portal/consents/change/", {**change, "explicit": "on"})
    assert current_consents(customer.pk)["sensitive_personalization"].granted is True


def test_account_consent_is_not_a_switch(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "account", "granted": "no"})
    assert current_consents(customer.pk)["account"].granted is True
    assert not ErasureRequest.objects.exists()


def test_a_material_notice_asks_for_review(signed_in, customer):
    text = "We now also use your purchases to suggest recipes."
    notice = Notice.objects.create(purpose_id="personalization", version=2, material=True)
    NoticeText.objects.create(
        notice=notice, language="en", text=text, content_hash=Notice.hash_text(text)
    )
    page = signed_in.get("/portal/consents/").content.decode()
    assert "Please review them" in page and text in page and "Agree to the new version" in page
    signed_in.post("/portal/consents/change/", {"purpose": "personalization", "granted": "yes"})
    assert "Please review them" not in signed_in.get("/portal/consents/").content.decode()
    latest = ConsentEvent.objects.filter(customer=customer, purpose="personalization").first()
    assert latest.notice.version == 2


def test_export_downloads_the_json_and_a_printable_summary(signed_in, customer):
    response = signed_in.get("/portal/export/my-data.json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    document = json.loads(response.content)
    assert document["format"] == "custodian.export/1"
    profile = document["categories"]["profile"]["records"]["customers.customer"][0]
    assert profile["email"] == customer.email
    summary = signed_in.get("/portal/export/summary/").content.decode()
    assert customer.email in summary and "custodian.export/1" in summary
    assert customer_events(customer, AuditAction.CUSTOMER_EXPORTED).count() == 2


def test_the_access_log_names_clients_and_roles_never_people(signed_in, customer, make_customer):
    key, _secret = StorefrontKey.objects.create_key(name="Shop Jakarta", scopes=["customers"])
    record_access(actor=key.actor, action=AuditAction.CUSTOMER_VIEWED, subject_id=customer.pk,
                  object_type="customers.customer", purpose="account")  # fmt: skip
    record_access(actor="staff:42", action=AuditAction.CUSTOMER_REVEALED, subject_id=customer.pk,
                  object_type="customers.customer", purpose="ticket")  # fmt: skip
    other = make_customer()
    record_access(actor=key.actor, action=AuditAction.CUSTOMER_EXPORTED, subject_id=other.pk,
                  object_type="customers.customer", purpose="account")  # fmt: skip
    page = signed_in.get("/portal/access-log/").content.decode()
    assert "Shop Jakarta" in page and "Staff member" in page and "You" in page
    assert "looked at a protected detail" in page
    assert "exported your data" not in page  # the other customer's event
    assert str(other.pk) not in page and "staff:42" not in page


def test_the_access_log_names_each_detail_a_staff_member_revealed(signed_in, customer, make_staff):
    officer = make_staff(Role.PRIVACY_OFFICER)
    reveal_fields(
        user=officer,
        customer_id=customer.pk,
        fields=["email", "phone"],
        purpose_kind="reason",
        reason="Checking a returned parcel with the courier",
    )
    english = signed_in.get("/portal/access-log/").content.decode()
    assert "looked at your email address, your phone number" in english
    assert "Privacy officer" in english and officer.username not in english
    indonesian = signed_in.get("/portal/access-log/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "melihat alamat email Anda, nomor telepon Anda" in indonesian


def test_the_access_log_is_paginated(signed_in, customer):
    for _ in range(30):
        record_access(actor="system", action=AuditAction.CUSTOMER_VIEWED, subject_id=customer.pk,
                      object_type="customers.customer", purpose="account")  # fmt: skip
    first = signed_in.get("/portal/access-log/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert signed_in.get("/portal/access-log/?page=2").status_code == 200


def test_closing_the_account_erases_signs_out_and_shows_the_certificate(
    client, customer, django_capture_on_commit_callbacks
):
    sign_in(client, customer)
    Interaction.objects.create(customer=customer, channel="email", note="n",
                               occurred_at=timezone.now(), created_by="system")  # fmt: skip
    page = client.get("/portal/close-account/").content.decode()
    assert "What stays, and why" in page and "tax law" in page
    unconfirmed = client.post("/portal/close-account/", {})
    assert unconfirmed.status_code == 200 and not ErasureRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/close-account/", {"confirm": "on"})
    response = client.get("/portal/close-account/status/")
    erasure = ErasureRequest.objects.get()
    assert (erasure.source, erasure.requested_by, erasure.status) == (
        "portal", "customer", ErasureStatus.DONE
    )  # fmt: skip
    assert str(erasure.certificate.pk) in response.content.decode()
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert client.get("/portal/my-data/")["Location"] == "/portal/sign-in/"
    mail.outbox.clear()
    client.post("/portal/sign-in/", {"email": customer.email})
    assert mail.outbox == []


def test_a_customer_being_erased_is_signed_out(signed_in, customer):
    # An open request (its run not started yet) is enough: the customer is going.
    request_erasure(customer_id=customer.pk, source=ErasureSource.API, actor="api-key:x")
    assert signed_in.get("/portal/my-data/")["Location"] == "/portal/sign-in/"


def test_the_closed_status_page_is_only_for_the_requester(client):
    assert client.get("/portal/close-account/status/").status_code == 404


def test_every_portal_action_is_audited_as_the_customer_without_personal_data(
    client, customer, django_capture_on_commit_callbacks
):
    sign_in(client, customer)
    client.get("/portal/my-data/")
    client.post("/portal/profile/", {"full_name": "Ada Byron", "phone": "", "postal_address": ""})
    client.post("/portal/consents/change/", {"purpose": "analytics", "granted": "no"})
    client.get("/portal/export/my-data.json")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/close-account/", {"confirm": "on"})
    pseudonym = ErasureRequest.objects.get().subject_pseudonym
    events = AuditEvent.objects.filter(subject_pseudonym=pseudonym, actor="customer")
    assert set(events.values_list("action", flat=True)) >= {
        AuditAction.PORTAL_SIGNED_IN,
        AuditAction.PORTAL_VIEWED,
        AuditAction.CUSTOMER_UPDATED,
        AuditAction.CONSENT_WITHDRAWN,
        AuditAction.CUSTOMER_EXPORTED,
        AuditAction.ERASURE_REQUESTED,
    }
    for row in events.values():
        flat = json.dumps(row, default=str)
        assert customer.email not in flat and "Byron" not in flat


def test_email_change_codes_are_rate_limited(signed_in, customer, settings):
    settings.PORTAL_SIGN_IN_PER_ADDRESS = 2
    for _ in range(2):
        signed_in.post("/portal/profile/email/", {"email": "new.address@example.com"})
    refused = signed_in.post("/portal/profile/email/", {"email": "new.address@example.com"})
    assert "Too many requests" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_suggestions_never_show_another_customers_rare_basket(
    signed_in, customer, make_customer, make_product
):
    a, b = (make_product(sku=sku, name=f"Product {sku}") for sku in ("A", "B"))
    rare = [make_product(sku=f"R{n}", name=f"Rare thing {n}") for n in range(3)]
    for number in range(5):
        record_purchases(
            lines=[PurchaseLine(make_customer().pk, f"crowd-{number}", p.sku, 1, Decimal("1"),
                                timezone.now()) for p in (a, b)],
            actor="system",
        )  # fmt: skip
    record_purchases(
        lines=[PurchaseLine(make_customer().pk, "loner-1", p.sku, 1, Decimal("1"), timezone.now())
               for p in (a, *rare)],
        actor="system",
    )  # fmt: skip
    record_purchases(
        lines=[PurchaseLine(customer.pk, "mine-1", "A", 1, Decimal("1"), timezone.now())],
        actor="system",
    )
    build_model()
    page = signed_in.get("/portal/recommendations/").content.decode()
    assert "Product B" in page
    assert "Rare thing" not in page
