"""The erasure pipeline: key first, then every app's rows, processors, certificate."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from consent.models import ConsentEvent, ConsentState
from consent.services import set_consent
from customers.models import Customer, Interaction, Purchase
from disposal import services
from disposal.deadlines import add_months
from disposal.exceptions import UnknownSubject
from disposal.exports import export_customer
from disposal.models import DisposalRecord, ErasureSource, ErasureStatus, ErasureStep
from disposal.verification import verify_erasure
from tests.backups import stored
from vault.exceptions import KeyDestroyed
from vault.models import DataKey, Tombstone
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")


def erase(customer, django_capture_on_commit_callbacks, source=ErasureSource.STAFF):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(customer_id=customer.pk, source=source, actor="staff:1")
    request.refresh_from_db()
    return request


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 20), date(2027, 1, 20)),
    ],
)
def test_the_deadline_is_one_calendar_month(requested, due):
    assert add_months(requested, 1) == due


def test_an_erasure_destroys_the_key_removes_every_row_and_writes_a_certificate(
    history, django_capture_on_commit_callbacks
):
    customer = history()
    other = history()
    pseudonym = subject_pseudonym(customer.pk)

    request = erase(customer, django_capture_on_commit_callbacks)

    assert request.status == ErasureStatus.DONE
    assert request.steps_done == [step.value for step, _ in services.STEPS]
    assert DataKey.objects.get(subject_id=customer.pk).is_destroyed
    assert Tombstone.objects.filter(pseudonym=pseudonym).exists()
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Interaction.objects.filter(customer_id=customer.pk).exists()
    assert not ConsentState.objects.filter(customer_id=customer.pk).exists()
    assert not AuditEvent.objects.filter(subject_id=customer.pk).exists()
    # Invoice lines and the consent ledger stay under legal hold, unlinked.
    assert Purchase.objects.filter(subject_pseudonym=pseudonym, customer=None).count() == 2
    assert ConsentEvent.objects.filter(subject_pseudonym=pseudonym, customer=None).count() >= 3
    assert AuditEvent.objects.filter(subject_pseudonym=pseudonym).count() >= 3
    certificate = DisposalRecord.objects.get(erasure_request=request)
    assert certificate.subject_pseudonym == pseudonym
    assert certificate.rows_removed["profile"] == 1
    assert certificate.rows_pseudonymized["purchases"] == 2
    assert certificate.rows_removed["interactions"] == 1
    assert certificate.method["purchases"] == "pseudonymized"
    assert certificate.method["consent"] == (
        "consent.consentconfirmation deleted; consent.consentevent pseudonymized; "
        "consent.consentstate deleted"
    )
    # The current state of account, personalization and marketing_email goes.
    assert certificate.rows_removed["consent"] == 3
    assert "tax" in certificate.legal_holds["purchases"]["reason"]
    assert certificate.key_destroyed_at is not None
    assert certificate.backup_horizon > certificate.key_destroyed_at.date()
    assert str(customer.pk) not in str(certificate.__dict__.values())
    # Nobody else was touched.
    assert Customer.objects.get(pk=other.pk).email == other.email
    assert Purchase.objects.filter(customer=other).count() == 2
    verification = verify_erasure(request.pk)
    assert verification.findings == []


def test_a_copy_of_the_data_database_taken_before_erasure_is_unreadable_after(
    history, django_capture_on_commit_callbacks
):
    customer = history()
    # The "backup": every stored byte of the customer's rows, ciphertext as it lies.
    backup = Customer.objects.get(pk=customer.pk)
    note_backup = Interaction.objects.get(customer=customer)
    assert backup.email == customer.email  # readable while the key lives

    erase(customer, django_capture_on_commit_callbacks)

    restored = Customer(**stored(backup))
    for field in ("email", "full_name", "external_id", "phone", "postal_address"):
        with pytest.raises(KeyDestroyed):
            getattr(restored, field)
    restored_note = Interaction(**stored(note_backup))
    with pytest.raises(KeyDestroyed):
        _ = restored_note.note


@pytest.mark.parametrize("crash_after", [step for step, _ in services.STEPS[:-1]])
def test_a_run_cut_short_after_any_step_is_completed_by_the_next(
    history, crash_after, django_capture_on_commit_callbacks
):
    customer = history()
    request = services.request_erasure(
        customer_id=customer.pk, source=ErasureSource.API, actor="api-key:x"
    )
    services.run_erasure(request_id=request.pk, until=crash_after)
    request.refresh_from_db()
    assert request.status == ErasureStatus.RUNNING  # as a killed worker leaves it
    # Reads already say "erased": the customer never looks whole again.
    with pytest.raises((KeyDestroyed, Customer.DoesNotExist)):
        _ = Customer.objects.get(pk=customer.pk).email

    with django_capture_on_commit_callbacks(execute=True):
        services.run_erasure(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    record = DisposalRecord.objects.get(erasure_request=request)
    assert record.rows_removed["profile"] == 1 and record.rows_pseudonymized["purchases"] == 2
    assert verify_erasure(request.pk).clean


def test_a_failing_step_marks_the_request_failed_without_data_and_a_rerun_finishes(
    history, monkeypatch
):
    customer = history()
    request = services.request_erasure(
        customer_id=customer.pk, source=ErasureSource.API, actor="api-key:x"
    )

    def broken(subject_ids):
        raise RuntimeError(f"boom for {len(subject_ids)}")

    monkeypatch.setattr("vault.registry._forget_handlers", {"broken": broken})
    with pytest.raises(RuntimeError):
        services.run_erasure(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ErasureStatus.FAILED
    assert request.error == "RuntimeError"
    assert request.steps_done == [ErasureStep.KEY_DESTROYED]

    monkeypatch.setattr("vault.registry._forget_handlers", {})
    services.run_erasure(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE and request.attempts == 2


def test_asking_twice_returns_the_open_request(customer):
    first = services.request_erasure(customer_id=customer.pk, source="api", actor="api-key:a")
    second = services.request_erasure(customer_id=customer.pk, source="portal", actor="portal")
    assert first.pk == second.pk


def test_an_unknown_customer_cannot_be_erased():
    with pytest.raises(UnknownSubject):
        services.request_erasure(customer_id=uuid.uuid4(), source="api", actor="api-key:a")


def test_withdrawing_account_consent_erases_the_customer(
    history, django_capture_on_commit_callbacks
):
    customer = history()
    with django_capture_on_commit_callbacks(execute=True):
        set_consent(
            customer=customer, purpose="account", granted=False, source="api", actor="api-key:k"
        )
    assert not Customer.objects.filter(pk=customer.pk).exists()
    record = DisposalRecord.objects.get(subject_pseudonym=subject_pseudonym(customer.pk))
    assert record.erasure_request.source == ErasureSource.CONSENT


def test_the_deadline_extends_by_at_most_two_months_with_a_reason(customer):
    request = services.request_erasure(customer_id=customer.pk, source="api", actor="api-key:a")
    first_due = request.due_by
    with pytest.raises(ValidationError) as missing_reason:
        services.extend_deadline(request=request, months=1, reason=" ", actor="staff:1")
    assert "reason" in missing_reason.value.message_dict

    services.extend_deadline(request=request, months=2, reason="Many systems", actor="staff:1")
    assert request.due_by == add_months(first_due, 2)
    with pytest.raises(ValidationError) as too_long:
        services.extend_deadline(request=request, months=1, reason="More", actor="staff:1")
    assert "months" in too_long.value.message_dict


def test_the_export_holds_every_registered_category_and_says_what_erasure_keeps(history):
    customer = history()
    document = export_customer(customer_id=customer.pk, actor="api-key:x")
    assert document["format"] == "custodian.export/1"
    categories = document["categories"]
    assert {"profile", "purchases", "interactions", "consent", "access_log"} <= set(categories)
    profile = categories["profile"]["records"]["customers.customer"][0]
    assert profile["email"] == customer.email and profile["full_name"] == customer.full_name
    lines = categories["purchases"]["records"]["customers.purchase"]
    assert {line["unit_price"] for line in lines} == {"9.99"} and len(lines) == 2
    assert categories["purchases"]["on_erasure"] == "pseudonymized"
    assert categories["purchases"]["legal_hold"]["kept_days"] > 365
    notes = categories["interactions"]["records"]["customers.interaction"]
    assert notes[0]["note"] == "Asked about a refund for the blue kettle."
    ledger = categories["consent"]["records"]["consent.consentevent"]
    assert {(event["purpose"], event["granted"]) for event in ledger} >= {
        ("account", True),
        ("marketing_email", True),
    }
    assert AuditEvent.objects.filter(subject_id=customer.pk, action="customer.exported").exists()


def test_there_is_no_export_after_erasure(customer, django_capture_on_commit_callbacks):
    erase(customer, django_capture_on_commit_callbacks)
    with pytest.raises(UnknownSubject):
        export_customer(customer_id=customer.pk, actor="api-key:x")
