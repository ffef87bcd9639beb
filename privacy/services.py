"""Privacy-desk writes: open, assign, verify, extend, act on and close data-subject
requests. Every action on a request waits for the requester to be verified, and each
goes through the domain service that owns the effect (export, erasure, restriction,
consent), so the desk adds no second way of doing them."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.roles import Role
from audit.models import AuditAction
from audit.services import record_event
from consent.models import ConsentSource
from consent.services import PERSONALIZATION, set_consent
from customers.restriction import lift_restriction, restrict_processing
from customers.services import update_customer
from disposal.deadlines import add_months
from disposal.exports import export_customer
from disposal.models import ErasureSource, ErasureStatus
from disposal.services import request_erasure
from privacy.models import (
    OPEN_STATUSES,
    DataSubjectRequest,
    RejectionReason,
    RequestChannel,
    RequestKind,
    RequestStatus,
    VerificationMethod,
)

MAX_EXTENSION_MONTHS = 2


def _event(request: DataSubjectRequest, action: AuditAction, actor: str, **metadata) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="privacy.datasubjectrequest",
        object_id=request.pk,
        subject_id=request.customer_id,
        subject_pseudonym=request.subject_pseudonym if request.customer_id is None else None,
        purpose=f"request:{request.kind}",
        metadata={"kind": request.kind, **metadata},
    )


def _check_actionable(request: DataSubjectRequest, kind: RequestKind | None = None) -> None:
    if kind is not None and request.kind != kind:
        raise ValidationError({"request": [_("This action does not fit this kind of request.")]})
    if not request.is_open:
        raise ValidationError({"request": [_("This request is closed.")]})
    if not request.is_verified:
        raise ValidationError(
            {"request": [_("Verify the requester's identity before acting on the request.")]}
        )
    if request.customer_id is None:
        raise ValidationError({"request": [_("The customer's data is already erased.")]})


def _close(request: DataSubjectRequest, actor: str, **metadata) -> DataSubjectRequest:
    request.status = RequestStatus.DONE
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    _event(request, AuditAction.REQUEST_COMPLETED, actor, **metadata)
    return request


@transaction.atomic
def open_request(
    *,
    customer,
    kind: RequestKind,
    channel: RequestChannel,
    actor: str,
    received_at=None,
    assignee=None,
) -> DataSubjectRequest:
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose the kind of request.")]
    if channel not in RequestChannel.values:
        errors["channel"] = [_("Choose how the request came in.")]
    if received_at is not None and received_at > timezone.now():
        errors["received_on"] = [_("The day it was received cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    received_at = received_at or timezone.now()
    request = DataSubjectRequest.objects.create(
        customer=customer,
        kind=kind,
        channel=channel,
        received_at=received_at,
        due_by=add_months(timezone.localtime(received_at).date(), 1),
    )
    _event(request, AuditAction.REQUEST_OPENED, actor, channel=channel)
    if assignee is not None:
        assign_request(request=request, assignee=assignee, actor=actor)
    return request


@transaction.atomic
def assign_request(*, request: DataSubjectRequest, assignee, actor: str) -> DataSubjectRequest:
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": [_("Choose an active staff member.")]})
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    _event(request, AuditAction.REQUEST_ASSIGNED, actor, assignee=assignee.pk if assignee else None)
    return request


@transaction.atomic
def verify_requester(
    *, request: DataSubjectRequest, method: VerificationMethod, actor: str
) -> DataSubjectRequest:
    if method not in VerificationMethod.values:
        raise ValidationError({"method": [_("Choose how you verified the requester.")]})
    if not request.is_open:
        raise ValidationError({"request": [_("This request is closed.")]})
    request.verified_at = timezone.now()
    request.verification_method = method
    request.save(update_fields=["verified_at", "verification_method"])
    _event(request, AuditAction.REQUEST_VERIFIED, actor, method=method)
    return request


@transaction.atomic
def extend_request(
    *, request: DataSubjectRequest, months: int, reason: str, actor: str
) -> DataSubjectRequest:
    """GDPR Art. 12(3): up to two further months for complex or numerous requests."""
    errors = {}
    left = MAX_EXTENSION_MONTHS - request.extended_months
    if not request.is_open:
        errors["months"] = [_("This request is closed.")]
    elif not 1 <= months <= left:
        errors["months"] = [_("At most %(left)d more month(s) can be added.") % {"left": left}]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the deadline is extended.")]
    if errors:
        raise ValidationError(errors)
    request.extended_months += months
    request.extension_reason = reason.strip()[:300]
    request.due_by = add_months(
        timezone.localtime(request.received_at).date(), 1 + request.extended_months
    )
    request.reminded_at = None
    request.save(update_fields=["extended_months", "extension_reason", "due_by", "reminded_at"])
    _event(request, AuditAction.REQUEST_EXTENDED, actor, months=months)
    return request


@transaction.atomic
def complete_access(*, request: DataSubjectRequest, actor: str) -> dict:
    """Produce the export (audited by disposal.exports) and close the request."""
    _check_actionable(request, RequestKind.ACCESS)
    document = export_customer(customer_id=request.customer_id, actor=actor)
    _close(request, actor)
    return document


@transaction.atomic
def complete_rectification(
    *, request: DataSubjectRequest, actor: str, changes: dict
) -> DataSubjectRequest:
    _check_actionable(request, RequestKind.RECTIFICATION)
    if not changes:
        raise ValidationError({"request": [_("Give at least one corrected value.")]})
    update_customer(customer=request.customer, actor=actor, **changes)
    return _close(request, actor, fields=",".join(sorted(changes)))


@transaction.atomic
def start_erasure(*, request: DataSubjectRequest, actor: str) -> DataSubjectRequest:
    _check_actionable(request, RequestKind.ERASURE)
    if request.erasure_request_id is None:
        request.erasure_request = request_erasure(
            customer_id=request.customer_id, source=ErasureSource.STAFF, actor=actor
        )
        request.status = RequestStatus.IN_PROGRESS
        request.save(update_fields=["erasure_request", "status"])
    return request


@transaction.atomic
def close_erasure(*, request: DataSubjectRequest, actor: str) -> DataSubjectRequest:
    """Close an erasure request once its pipeline has written the certificate."""
    request = DataSubjectRequest.objects.select_related("erasure_request").get(pk=request.pk)
    erasure = request.erasure_request
    if request.status != RequestStatus.IN_PROGRESS or erasure is None:
        raise ValidationError({"request": [_("Start the erasure first.")]})
    if erasure.status != ErasureStatus.DONE:
        raise ValidationError({"request": [_("The erasure has not finished yet.")]})
    return _close(request, actor, erasure=erasure.pk)


@transaction.atomic
def apply_restriction(*, request: DataSubjectRequest, actor: str) -> DataSubjectRequest:
    _check_actionable(request, RequestKind.RESTRICTION)
    restrict_processing(customer=request.customer, actor=actor, request_id=request.pk)
    return _close(request, actor)


@transaction.atomic
def end_restriction(*, customer, actor: str):
    return lift_restriction(customer=customer, actor=actor)


@transaction.atomic
def uphold_objection(*, request: DataSubjectRequest, actor: str) -> DataSubjectRequest:
    """An objection to profiling withdraws `personalization` (the model forgets them)."""
    _check_actionable(request, RequestKind.OBJECTION)
    set_consent(
        customer=request.customer,
        purpose=PERSONALIZATION,
        granted=False,
        source=ConsentSource.STAFF,
        actor=actor,
    )
    return _close(request, actor)


@transaction.atomic
def reject_request(
    *, request: DataSubjectRequest, reason: RejectionReason, actor: str
) -> DataSubjectRequest:
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": [_("Choose why the request is rejected.")]})
    if not request.is_open:
        raise ValidationError({"reason": [_("This request is closed.")]})
    request.status = RequestStatus.REJECTED
    request.rejection_reason = reason
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "rejection_reason", "completed_at"])
    _event(request, AuditAction.REQUEST_REJECTED, actor, reason=reason)
    return request


def privacy_officer_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return sorted(
        set(users.filter(groups__name=Role.PRIVACY_OFFICER).values_list("email", flat=True))
    )


def remind_due_requests(*, today: date | None = None) -> int:
    """Mail privacy officers about open requests due within REMINDER_DAYS (once per
    request and deadline). The mail names requests by id, kind and date only."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.PRIVACY_REMINDER_DAYS)
    with transaction.atomic():
        due = list(
            DataSubjectRequest.objects.select_for_update()
            .filter(status__in=OPEN_STATUSES, due_by__lte=horizon, reminded_at__isnull=True)
            .order_by("due_by")
        )
        if not due:
            return 0
        recipients = privacy_officer_emails()
        lines = [
            f"- {request.short_id} {request.get_kind_display()} due {request.due_by.isoformat()}"
            for request in due
        ]
        if recipients:
            send_mail(
                subject=_("%(count)d data-subject request(s) due within %(days)d days")
                % {"count": len(due), "days": settings.PRIVACY_REMINDER_DAYS},
                message="\n".join(lines) + "\n\n" + _("Open the privacy desk to work them."),
                from_email=None,
                recipient_list=recipients,
            )
        DataSubjectRequest.objects.filter(pk__in=[r.pk for r in due]).update(
            reminded_at=timezone.now()
        )
    return len(due)
