from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import ConsentEvent, ConsentSource, ConsentState
from customers.models import Customer
from leads import services
from leads.models import CaptureMethod, Deal, DealStage, Lead, LeadConsent, LeadStatus
from vault.models import DataKey
from vault.services import is_destroyed

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_lead_who_ticked_nothing_is_not_stored():
    with pytest.raises(ValidationError) as error:
        services.capture_lead(
            contact={"email": "nobody@example.org", "full_name": "No Body"},
            purposes=[],
            source="site",
            method=CaptureMethod.FORM,
            channel="newsletter",
            actor="anonymous",
        )
    assert "consents" in error.value.message_dict
    assert Lead.objects.count() == 0
    assert LeadConsent.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="leads.lead").count() == 0


def test_a_captured_lead_is_encrypted_under_its_own_key_with_its_evidence(make_lead):
    lead = make_lead(email="Ana@Example.org", phone="+44 20 7946 0001", company="Acme")
    assert DataKey.objects.filter(subject_id=lead.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, company FROM leads_lead WHERE id = %s", [lead.pk])
        raw_email, raw_company = cursor.fetchone()
    assert b"ana@example.org" not in bytes(raw_email) and b"Acme" not in bytes(raw_company)
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.email, stored.phone, stored.company) == (
        "ana@example.org",
        "+442079460001",
        "Acme",
    )
    evidence = LeadConsent.objects.get(lead=lead)
    assert (evidence.purpose_id, evidence.notice.version, evidence.method, evidence.channel) == (
        "marketing_post",
        1,
        "import",
        "expo",
    )


def test_form_marketing_email_waits_for_double_opt_in():
    capture = services.capture_lead(
        contact={"email": "optin@example.org"},
        purposes=["marketing_email"],
        source="site",
        method=CaptureMethod.FORM,
        channel="newsletter",
        actor="anonymous",
    )
    assert set(capture.tokens) == {"marketing_email"}
    assert not LeadConsent.objects.filter(lead=capture.lead).exists()
    services.confirm_lead_consent(token=capture.tokens["marketing_email"], actor="anonymous")
    granted = LeadConsent.objects.get(lead=capture.lead)
    assert (granted.purpose_id, granted.method, granted.channel) == (
        "marketing_email",
        "form",
        "newsletter",
    )
    with pytest.raises(services.InvalidConfirmation) as used:
        services.confirm_lead_consent(token=capture.tokens["marketing_email"], actor="anonymous")
    assert used.value.reason == "used"
    with pytest.raises(services.InvalidConfirmation):
        services.confirm_lead_consent(token=capture.tokens["marketing_email"] + "x", actor="a")


def test_a_second_capture_of_the_same_address_merges_into_the_lead(make_lead):
    first = make_lead(email="twice@example.org", full_name="")
    again = services.capture_lead(
        contact={"email": " TWICE@example.org", "full_name": "Tess Twice", "company": "Beta"},
        purposes=["analytics"],
        source="expo",
        method=CaptureMethod.IMPORT,
        channel="expo",
        actor="staff:1",
    )
    assert again.outcome == services.Outcome.MERGED
    assert Lead.objects.count() == 1
    merged = Lead.objects.get(pk=first.pk)
    assert (merged.full_name, merged.company) == ("Tess Twice", "Beta")
    assert sorted(merged.consents.values_list("purpose_id", flat=True)) == [
        "analytics",
        "marketing_post",
    ]


def test_an_address_that_is_already_a_customer_stores_no_lead(customer):
    capture = services.capture_lead(
        contact={"email": customer.email.upper()},
        purposes=["marketing_email"],
        source="site",
        method=CaptureMethod.FORM,
        channel="newsletter",
        actor="anonymous",
    )
    assert capture.outcome == services.Outcome.CUSTOMER
    assert Lead.objects.count() == 0
    # The customer is asked to confirm through the customers' own double opt-in.
    assert set(capture.tokens) == {"marketing_email"}


def test_audit_rows_hold_no_contact_data(make_lead):
    lead = make_lead(email="secret.person@example.org", full_name="Secret Person")
    services.record_contact(lead=lead, actor="staff:1")
    for event in AuditEvent.objects.filter(subject_id=lead.pk):
        text = f"{event.object_id} {event.metadata}"
        assert "secret" not in text.lower() and "@" not in text


def test_scoring_explains_each_rule_and_sums_the_met_ones(make_lead):
    lead = make_lead(company="Acme", phone="+44 20 7946 0002", method=CaptureMethod.FORM)
    from leads.scoring import explain

    results = explain(lead)
    met = {result.label: result.points for result in results if result.met}
    assert lead.score == sum(met.values()) == 10 + 10 + 10 + 5
    services.record_contact(lead=lead, actor="staff:1")
    lead.refresh_from_db()
    assert lead.score == 45
    assert lead.status == LeadStatus.CONTACTED


def test_conversion_keeps_the_consent_history_and_evidence(make_lead):
    lead = make_lead(purposes=("marketing_post", "analytics"), full_name="Cora Convert")
    given = list(lead.consents.values_list("purpose_id", "notice_id", "given_at"))
    deal = services.save_deal(actor="staff:1", title="Annual plan", value=Decimal("900"), lead=lead)
    with pytest.raises(ValidationError):
        services.convert_lead(lead=lead, actor="staff:1", account_agreed=True)
    services.set_lead_status(lead=lead, status=LeadStatus.QUALIFIED, actor="staff:1")
    with pytest.raises(ValidationError):
        services.convert_lead(lead=lead, actor="staff:1", account_agreed=False)
    customer = services.convert_lead(lead=lead, actor="staff:1", account_agreed=True)

    customer = Customer.objects.get(pk=customer.pk)
    assert customer.full_name == "Cora Convert"
    carried = ConsentEvent.objects.filter(customer=customer).exclude(purpose_id="account")
    assert sorted((e.purpose_id, e.notice_id, e.given_at) for e in carried) == sorted(given)
    assert {e.source for e in carried} == {ConsentSource.IMPORT}
    assert {e.channel for e in carried} == {"expo"}
    states = dict(
        ConsentState.objects.filter(customer=customer).values_list("purpose_id", "granted")
    )
    assert states == {"account": True, "marketing_post": True, "analytics": True}
    from disposal.exports import export_customer

    exported = export_customer(customer_id=customer.pk, actor="staff:1")["categories"]
    ledger = exported["consent"]["records"]["consent.consentevent"]
    assert {(e["purpose"], e["channel"]) for e in ledger if e["given_at"]} == {
        ("marketing_post", "expo"),
        ("analytics", "expo"),
    }
    deal.refresh_from_db()
    assert (deal.lead_id, deal.customer_id, deal.subject_id) == (None, customer.pk, customer.pk)
    converted = Lead.objects.get(pk=lead.pk)
    assert converted.status == LeadStatus.CONVERTED and converted.customer_id == customer.pk
    assert (converted.email, converted.full_name, converted.email_index) == (None, None, None)
    assert is_destroyed(lead.pk)


def test_deals_move_between_stages_and_refuse_bad_values(make_lead):
    lead = make_lead()
    deal = services.save_deal(actor="staff:1", title="Pilot", value=Decimal("10"), lead=lead)
    services.save_deal(
        actor="staff:1", deal=deal, title="Pilot", value=Decimal("10"), stage=DealStage.PROPOSAL
    )
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.PROPOSAL
    with pytest.raises(ValidationError) as error:
        services.save_deal(actor="staff:1", deal=deal, title="", value=Decimal("-1"), stage="x")
    assert set(error.value.message_dict) == {"title", "value", "stage"}


def test_notice_version_shown_must_exist():
    with pytest.raises(ValidationError) as error:
        services.capture_lead(
            contact={"email": "v@example.org"},
            purposes=["marketing_post"],
            source="expo",
            method=CaptureMethod.IMPORT,
            channel="expo",
            actor="staff:1",
            notice_versions={"marketing_post": 7},
        )
    assert "notice_version" in error.value.message_dict
    assert Lead.objects.count() == 0


def test_a_list_on_legitimate_interests_cannot_claim_consent_purposes():
    with pytest.raises(ValidationError) as error:
        services.capture_lead(
            contact={"email": "li@example.org"},
            purposes=["marketing_post"],
            source="expo",
            method=CaptureMethod.IMPORT,
            channel="expo",
            actor="staff:1",
            lawful_basis="legitimate_interests",
            given_at=timezone.now() - timedelta(days=3),
        )
    assert "lawful_basis" in error.value.message_dict
    assert Lead.objects.count() == 0
