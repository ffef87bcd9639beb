from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from disposal.models import DisposalKind, DisposalRecord, ErasureRequest, ErasureStatus
from disposal.retention import apply_retention
from disposal.verification import verify_erasure
from leads import services
from leads.models import CaptureMethod, Lead, LeadConsent, LeadStatus
from leads.rights import erase_lead, export_lead
from vault.services import is_destroyed

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_lead_exports_everything_held_on_it(make_lead):
    lead = make_lead(email="exp@example.org", full_name="Exa Port", company="Acme")
    document = export_lead(lead_id=lead.pk, actor="staff:1")
    lead_rows = document["categories"]["lead"]["records"]["leads.lead"]
    assert lead_rows[0]["email"] == "exp@example.org" and lead_rows[0]["company"] == "Acme"
    evidence = document["categories"]["lead_consent"]["records"]["leads.leadconsent"]
    assert evidence[0]["purpose"] == "marketing_post" and evidence[0]["channel"] == "expo"
    assert AuditEvent.objects.filter(action="lead.exported", subject_id=lead.pk).exists()


def test_erasing_a_lead_destroys_its_key_and_rows_with_a_certificate(
    make_lead, django_capture_on_commit_callbacks
):
    lead = make_lead()
    with django_capture_on_commit_callbacks(execute=True):
        request = erase_lead(lead_id=lead.pk, actor="staff:1")
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    assert is_destroyed(lead.pk)
    assert not Lead.objects.filter(pk=lead.pk).exists()
    kept = LeadConsent.objects.get()
    assert kept.lead_id is None and kept.subject_pseudonym == request.subject_pseudonym
    assert not AuditEvent.objects.filter(subject_id=lead.pk).exists()
    record = DisposalRecord.objects.get(erasure_request=request)
    assert "lead" in record.categories and record.key_destroyed_at is not None
    verification = verify_erasure(request.pk, lead.pk)
    assert verification.clean, verification.findings


def test_unconverted_leads_expire_through_the_pipeline_after_a_year(
    make_lead, django_capture_on_commit_callbacks
):
    old = make_lead()
    Lead.objects.filter(pk=old.pk).update(last_contact_at=timezone.now() - timedelta(days=400))
    recent = make_lead()
    converted = make_lead()
    Lead.objects.filter(pk=converted.pk).update(
        status=LeadStatus.QUALIFIED, last_contact_at=timezone.now() - timedelta(days=400)
    )
    services.convert_lead(
        lead=Lead.objects.get(pk=converted.pk), actor="staff:1", account_agreed=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        apply_retention()

    assert not Lead.objects.filter(pk=old.pk).exists()
    assert is_destroyed(old.pk)
    assert Lead.objects.filter(pk=recent.pk).exists()
    assert Lead.objects.filter(pk=converted.pk).exists()
    erasure = ErasureRequest.objects.get(subject_pseudonym__isnull=False, source="retention")
    assert erasure.status == ErasureStatus.DONE
    record = DisposalRecord.objects.get(kind=DisposalKind.RETENTION, policy="unconverted_leads")
    assert record.rows_removed == {"lead": 1}


def test_a_lead_that_never_confirmed_is_not_kept(django_capture_on_commit_callbacks):
    capture = services.capture_lead(
        contact={"email": "silent@example.org"},
        purposes=["marketing_email"],
        source="site",
        method=CaptureMethod.FORM,
        channel="newsletter",
        actor="anonymous",
    )
    Lead.objects.filter(pk=capture.lead.pk).update(created_at=timezone.now() - timedelta(days=3))
    capture.lead.confirmations.update(expires_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention()
    assert not Lead.objects.filter(pk=capture.lead.pk).exists()


def test_erasing_a_converted_customer_unlinks_what_the_lead_left(
    make_lead, django_capture_on_commit_callbacks
):
    from disposal.services import request_erasure
    from leads.selectors import source_quality

    lead = make_lead()
    services.set_lead_status(lead=lead, status=LeadStatus.QUALIFIED, actor="staff:1")
    customer = services.convert_lead(lead=lead, actor="staff:1", account_agreed=True)
    assert AuditEvent.objects.filter(subject_id=lead.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        erasure = request_erasure(customer_id=customer.pk, source="staff", actor="staff:1")
    verification = verify_erasure(erasure.pk, customer.pk)
    assert verification.clean, verification.findings

    assert not AuditEvent.objects.filter(subject_id=lead.pk).exists()
    evidence = LeadConsent.objects.get()
    assert evidence.lead_id is None and evidence.subject_pseudonym is not None
    kept = Lead.objects.get(pk=lead.pk)
    assert (kept.customer_id, kept.status, kept.email) == (None, LeadStatus.CONVERTED, None)
    assert [(row.source, row.converted) for row in source_quality()] == [("expo", 1)]
