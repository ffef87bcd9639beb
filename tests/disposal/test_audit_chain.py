"""Erasure and the audit chain together: the pipeline's pseudonymization of audit rows
goes through (on PostgreSQL, past the append-only trigger) and the chain sealed before
it still verifies afterwards."""

import io

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.services import seal_pending_events
from disposal import services
from disposal.models import ErasureSource, ErasureStatus
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")


def test_an_erased_customers_sealed_audit_trail_still_verifies(
    history, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 0
    customer, other = history(), history()
    pseudonym = subject_pseudonym(customer.pk)
    sealed = sum(seal.event_count for seal in seal_pending_events(batch_size=3))
    about = AuditEvent.objects.filter(subject_id=customer.pk).count()
    naming = AuditEvent.objects.filter(object_id=str(customer.pk)).count()
    assert about >= 3 and naming >= 1

    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(
            customer_id=customer.pk, source=ErasureSource.STAFF, actor="staff:1"
        )
    request.refresh_from_db()

    assert request.status == ErasureStatus.DONE
    assert request.rows_pseudonymized["access_log"] >= about
    # The pseudonymization is itself recorded, and sealed with the rest.
    completed = AuditEvent.objects.get(action="erasure.completed", object_id=str(request.pk))
    assert (
        completed.metadata["audit_events_pseudonymized"]
        == (request.rows_pseudonymized["access_log"])
    )
    assert not AuditEvent.objects.filter(subject_id=customer.pk).exists()
    assert not AuditEvent.objects.filter(object_id=str(customer.pk)).exists()
    assert AuditEvent.objects.filter(object_id=str(pseudonym), subject_pseudonym=pseudonym).count()
    assert AuditEvent.objects.filter(subject_id=other.pk).exists()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{sealed} events in " in out.getvalue()
    # The erasure's own events seal after it and verify too.
    seal_pending_events()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{AuditEvent.objects.count()} events in " in out.getvalue()
    assert "0 newer events not yet sealed" in out.getvalue()
