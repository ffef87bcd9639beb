"""The privacy desk's rules: nothing is acted on before the requester is verified,
deadlines are one calendar month (extendable by two with a reason), each kind of request
takes effect through the owning service, and officers are reminded before deadlines."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from consent.selectors import has_consent
from customers.models import Customer
from disposal.models import DisposalRecord, ErasureStatus
from disposal.services import run_erasure
from privacy import services
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind, RequestStatus

pytestmark = pytest.mark.django_db(databases="__all__")

JAN_31 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def _open(customer, kind, **kwargs):
    return services.open_request(
        customer=customer, kind=kind, channel=RequestChannel.EMAIL, actor="staff:1", **kwargs
    )


def _verified(customer, kind):
    request = _open(customer, kind)
    return services.verify_requester(request=request, method="id_document", actor="staff:1")


def test_a_request_is_due_one_calendar_month_after_receipt(customer):
    request = _open(customer, RequestKind.ACCESS, received_at=JAN_31)
    assert request.due_by == date(2026, 2, 28)
    assert request.status == RequestStatus.OPEN and not request.is_verified
    event = AuditEvent.objects.get(action=AuditAction.REQUEST_OPENED)
    assert event.subject_id == customer.pk and event.metadata["kind"] == "access"


@pytest.mark.parametrize(
    ("kind", "act"),
    [
        (RequestKind.ACCESS, services.complete_access),
        (RequestKind.ERASURE, services.start_erasure),
        (RequestKind.RESTRICTION, services.apply_restriction),
        (RequestKind.OBJECTION, services.uphold_objection),
    ],
)
def test_nothing_is_acted_on_before_the_requester_is_verified(customer, kind, act):
    request = _open(customer, kind)
    with pytest.raises(ValidationError, match="Verify the requester"):
        act(request=request, actor="staff:1")
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    assert Customer.objects.filter(pk=customer.pk, processing_restricted_at=None).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_EXPORTED).exists()


def test_rectification_waits_for_verification_too(customer):
    request = _open(customer, RequestKind.RECTIFICATION)
    with pytest.raises(ValidationError):
        services.complete_rectification(
            request=request, actor="staff:1", changes={"full_name": "New Name"}
        )


def test_a_verified_access_request_completes_with_an_audited_export(customer):
    request = _verified(customer, RequestKind.ACCESS)
    document = services.complete_access(request=request, actor="staff:7")
    assert document["customer_id"] == str(customer.pk)
    assert "profile" in document["categories"]
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE and request.completed_at
    assert AuditEvent.objects.filter(
        action=AuditAction.CUSTOMER_EXPORTED, actor="staff:7", subject_id=customer.pk
    ).exists()
    with pytest.raises(ValidationError, match="closed"):
        services.complete_access(request=request, actor="staff:7")


def test_a_verified_rectification_corrects_the_profile(customer):
    request = _verified(customer, RequestKind.RECTIFICATION)
    services.complete_rectification(
        request=request, actor="staff:1", changes={"phone": "+44 20 7946 0999"}
    )
    assert Customer.objects.get(pk=customer.pk).phone == "+442079460999"


def test_an_erasure_request_runs_the_pipeline_and_closes_when_certified(customer):
    request = _verified(customer, RequestKind.ERASURE)
    services.start_erasure(request=request, actor="staff:1")
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    with pytest.raises(ValidationError, match="not finished"):
        services.close_erasure(request=request, actor="staff:1")
    run_erasure(request_id=request.erasure_request_id)
    request.refresh_from_db()
    assert request.erasure_request.status == ErasureStatus.DONE
    assert DisposalRecord.objects.filter(erasure_request=request.erasure_request).exists()
    # The request outlives the customer, unlinked and named by pseudonym.
    assert request.customer_id is None and request.subject_pseudonym
    services.close_erasure(request=request, actor="staff:1")
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE


def test_restriction_marks_the_customer_until_lifted(customer):
    request = _verified(customer, RequestKind.RESTRICTION)
    services.apply_restriction(request=request, actor="staff:1")
    customer.refresh_from_db()
    assert customer.processing_restricted_at is not None
    services.end_restriction(customer=customer, actor="staff:1")
    customer.refresh_from_db()
    assert customer.processing_restricted_at is None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.PROCESSING_RESTRICTED, AuditAction.RESTRICTION_LIFTED} <= actions


def test_an_upheld_objection_to_profiling_withdraws_personalization(customer):
    assert has_consent(customer.pk, "personalization")
    services.uphold_objection(request=_verified(customer, RequestKind.OBJECTION), actor="staff:1")
    assert not has_consent(customer.pk, "personalization")


def test_an_action_must_fit_the_kind_of_request(customer):
    request = _verified(customer, RequestKind.ACCESS)
    with pytest.raises(ValidationError, match="does not fit"):
        services.start_erasure(request=request, actor="staff:1")


def test_the_deadline_extends_by_at_most_two_months_in_all_with_a_reason(customer):
    request = _open(customer, RequestKind.ACCESS, received_at=JAN_31)
    with pytest.raises(ValidationError) as error:
        services.extend_request(request=request, months=1, reason=" ", actor="staff:1")
    assert "reason" in error.value.message_dict
    services.extend_request(request=request, months=1, reason="Many records", actor="staff:1")
    assert request.due_by == date(2026, 3, 31)
    with pytest.raises(ValidationError) as error:
        services.extend_request(request=request, months=2, reason="More", actor="staff:1")
    assert "months" in error.value.message_dict
    services.extend_request(request=request, months=1, reason="Still many", actor="staff:1")
    assert request.due_by == date(2026, 4, 30)


def test_a_rejected_request_is_closed_with_its_reason(customer):
    request = services.reject_request(
        request=_open(customer, RequestKind.ACCESS), reason="unfounded", actor="staff:1"
    )
    assert request.status == RequestStatus.REJECTED and request.rejection_reason == "unfounded"
    with pytest.raises(ValidationError):
        services.verify_requester(request=request, method="call_back", actor="staff:1")


def test_officers_are_mailed_five_days_before_a_deadline_once(make_staff, make_customer, settings):
    make_staff(Role.PRIVACY_OFFICER, email="officer@staff.example")
    make_staff(Role.SUPPORT_AGENT, email="agent@staff.example")
    today = date(2026, 3, 10)
    soon = _open(make_customer(), RequestKind.ACCESS)
    later = _open(make_customer(), RequestKind.ERASURE)
    DataSubjectRequest.objects.filter(pk=soon.pk).update(due_by=today + timedelta(days=5))
    DataSubjectRequest.objects.filter(pk=later.pk).update(due_by=today + timedelta(days=6))

    assert services.remind_due_requests(today=today) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@staff.example"]
    assert soon.short_id in message.body and later.short_id not in message.body
    assert "@" not in message.body  # ids, kinds and dates only
    assert services.remind_due_requests(today=today) == 0
    assert services.remind_due_requests(today=today + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_extending_a_deadline_arms_its_reminder_again(make_staff, customer):
    make_staff(Role.PRIVACY_OFFICER, email="officer@staff.example")
    request = _open(customer, RequestKind.ACCESS)
    services.remind_due_requests(today=request.due_by)
    services.extend_request(request=request, months=1, reason="Complex", actor="staff:1")
    request.refresh_from_db()
    assert request.reminded_at is None


def test_celery_beat_sends_the_reminders_daily(make_staff, customer, settings):
    from privacy.tasks import send_deadline_reminders

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.send_deadline_reminders" in schedule
    make_staff(Role.PRIVACY_OFFICER, email="officer@staff.example")
    request = _open(customer, RequestKind.ACCESS)
    DataSubjectRequest.objects.filter(pk=request.pk).update(due_by=timezone.localdate())
    assert send_deadline_reminders.delay().get() == 1
    assert len(mail.outbox) == 1


def test_a_request_cannot_be_received_in_the_future(customer):
    with pytest.raises(ValidationError) as error:
        _open(customer, RequestKind.ACCESS, received_at=timezone.now() + timedelta(days=1))
    assert "received_on" in error.value.message_dict
    assert not DataSubjectRequest.objects.exists()
