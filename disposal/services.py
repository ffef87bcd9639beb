"""The erasure pipeline: request, extend, run. Each step is idempotent and recorded on
the request, so a run cut short (a killed worker) is finished by the next run."""

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import SYSTEM, record_event
from changes.services import record_erased
from customers.models import Customer
from disposal.deadlines import add_months
from disposal.exceptions import UnknownSubject
from disposal.models import (
    Disclosure,
    DisposalKind,
    DisposalRecord,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    ErasureStep,
    WebhookDelivery,
)
from outbox.services import enqueue
from vault import registry
from vault.models import DataKey, Tombstone
from vault.routers import KEYS_DB
from vault.services import SYSTEM_SUBJECT, destroy_key, ensure_data_key, subject_pseudonym

MAX_EXTENSION_MONTHS = 2


def open_request_for(subject_id: uuid.UUID) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        subject_id=subject_id, status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
    ).first()


def request_erasure(
    *,
    customer_id: uuid.UUID,
    source: ErasureSource,
    actor: str,
    require_customer: bool = True,
    language: str = "",
) -> ErasureRequest:
    """Open an erasure request (or return the one already open) and queue its run."""
    subject_id = uuid.UUID(str(customer_id))
    existing = open_request_for(subject_id)
    if existing:
        return existing
    if require_customer and not Customer.objects.filter(pk=subject_id).exists():
        raise UnknownSubject(subject_id)
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(
                subject_id=subject_id,
                subject_pseudonym=subject_pseudonym(subject_id),
                source=source,
                requested_by=actor,
                due_by=add_months(timezone.localdate(), 1),
                # Known from the start, so the person can be told it while we can write.
                certificate_id=uuid.uuid4(),
                language=language[:16],
            )
            record_event(
                actor=actor,
                action=AuditAction.ERASURE_REQUESTED,
                object_type="disposal.erasurerequest",
                object_id=request.pk,
                subject_id=subject_id,
                purpose="erasure",
                metadata={"source": source},
            )
            enqueue("disposal.tasks.run_erasure", str(request.pk))
    except IntegrityError:
        # Another request for this subject opened between the check and the insert.
        return open_request_for(subject_id)
    return request


def erase_on_account_withdrawal(*, customer_id: uuid.UUID, actor: str) -> None:
    """Withdrawing `account` consent is a request to be erased."""
    request_erasure(customer_id=customer_id, source=ErasureSource.CONSENT, actor=actor)


@transaction.atomic
def extend_deadline(*, request: ErasureRequest, months: int, reason: str, actor: str):
    """Extend the one-month deadline by up to two months in all, with a recorded reason
    (GDPR Art. 12(3): complex or numerous requests)."""
    errors = {}
    if request.status == ErasureStatus.DONE:
        errors["months"] = ["The erasure is already done."]
    elif not 1 <= months <= MAX_EXTENSION_MONTHS - request.extended_months:
        left = MAX_EXTENSION_MONTHS - request.extended_months
        errors["months"] = [f"At most {left} more month(s) can be added."]
    if not reason.strip():
        errors["reason"] = ["Say why the deadline is extended."]
    if errors:
        raise ValidationError(errors)
    request.extended_months += months
    request.extension_reason = reason.strip()
    request.due_by = add_months(
        timezone.localtime(request.requested_at).date(), 1 + request.extended_months
    )
    request.save(update_fields=["extended_months", "extension_reason", "due_by"])
    record_event(
        actor=actor,
        action=AuditAction.ERASURE_EXTENDED,
        object_type="disposal.erasurerequest",
        object_id=request.pk,
        subject_pseudonym=request.subject_pseudonym,
        purpose="erasure",
        metadata={"months": months, "due_by": request.due_by.isoformat()},
    )
    return request


def _lease_end():
    return timezone.now() + timedelta(seconds=settings.ERASURE_LEASE_SECONDS)


def _mark(request: ErasureRequest, step: ErasureStep, **changes) -> None:
    """Record a finished step and renew the run's lease."""
    request.steps_done = [*request.steps_done, step.value]
    changes.setdefault("lease_expires_at", _lease_end())
    for name, value in changes.items():
        setattr(request, name, value)
    request.save(update_fields=["steps_done", *changes])


# Called as handler(request=...) just before the key is destroyed, while the customer's
# address can still be read (the portal mails the certificate number). A handler deals
# with its own failures: the erasure does not wait for a mail server.
_before_key_destroyed: list[Callable] = []


def register_before_key_destroyed(handler: Callable) -> None:
    if handler not in _before_key_destroyed:
        _before_key_destroyed.append(handler)


def _destroy_key(request: ErasureRequest) -> None:
    for handler in _before_key_destroyed:
        handler(request=request)
    # The tombstone first, in the key store's own transaction: from here on a restore
    # of the data database can always be brought back in line (replay_erasures).
    with transaction.atomic(using=KEYS_DB):
        Tombstone.objects.get_or_create(
            pseudonym=request.subject_pseudonym,
            defaults={"erased_at": timezone.now(), "request_id": request.pk},
        )
        destroy_key(subject_id=request.subject_id)
    _mark(request, ErasureStep.KEY_DESTROYED)


def _forget(request: ErasureRequest) -> None:
    for handler in registry.forget_handlers().values():
        handler(request.subject_id)
    _mark(request, ErasureStep.FORGOTTEN)


@transaction.atomic
def _notify_processors(request: ErasureRequest) -> None:
    processor_ids = set(
        Disclosure.objects.filter(customer_id=request.subject_id).values_list(
            "processor_id", flat=True
        )
    )
    if processor_ids:
        ensure_data_key(subject_id=SYSTEM_SUBJECT)
    deliveries = [
        WebhookDelivery.objects.get_or_create(
            processor_id=processor_id,
            erasure_request=request,
            defaults={
                "notice_customer_id": str(request.subject_id),
                "next_attempt_at": timezone.now(),
            },
        )[0]
        for processor_id in sorted(processor_ids)
    ]
    for delivery in deliveries:
        enqueue("disposal.tasks.deliver_webhook", str(delivery.pk))
    _mark(request, ErasureStep.PROCESSORS_NOTIFIED)


@transaction.atomic
def _erase_rows(request: ErasureRequest) -> None:
    """Every registered table in one transaction: the subject's own row last."""
    deleted, pseudonymized = dict(request.rows_erased), dict(request.rows_pseudonymized)
    for entry in sorted(registry.entries(), key=lambda entry: entry.is_subject_row):
        changed = entry.erase(request.subject_id, pseudonym=request.subject_pseudonym)
        counts = deleted if entry.erasure is registry.Erasure.DELETE else pseudonymized
        counts[entry.category] = counts.get(entry.category, 0) + changed
    _mark(
        request,
        ErasureStep.ROWS_ERASED,
        rows_erased=deleted,
        rows_pseudonymized=pseudonymized,
    )


def erasure_methods() -> tuple[dict, dict]:
    """How erasure treats each category (per table where a category mixes methods),
    and the legal holds that keep rows."""
    by_category: dict[str, dict[str, str]] = {}
    holds = {}
    for entry in registry.entries():
        by_category.setdefault(entry.category, {})[entry.label] = (
            "deleted" if entry.erasure is registry.Erasure.DELETE else "pseudonymized"
        )
        if entry.legal_hold:
            holds[entry.category] = {"reason": entry.legal_hold, "kept_days": entry.hold_days}
    methods = {
        category: next(iter(set(tables.values())))
        if len(set(tables.values())) == 1
        else "; ".join(f"{label} {method}" for label, method in sorted(tables.items()))
        for category, tables in by_category.items()
    }
    return methods, holds


@transaction.atomic
def _certify(request: ErasureRequest) -> None:
    key = DataKey.objects.filter(subject_id=request.subject_id).first()
    destroyed_at = key.destroyed_at if key else None
    methods, holds = erasure_methods()
    notified = [
        {"processor": delivery.processor.name, "agreement": delivery.processor.agreement_reference}
        for delivery in request.deliveries.select_related("processor").order_by("processor__name")
    ]
    DisposalRecord.objects.get_or_create(
        erasure_request=request,
        defaults={
            "id": request.certificate_id or uuid.uuid4(),
            "kind": DisposalKind.ERASURE,
            "subject_pseudonym": request.subject_pseudonym,
            "categories": sorted(methods),
            "method": {"key": "crypto-shredded (data key destroyed)", **methods},
            "rows_removed": request.rows_erased,
            "rows_pseudonymized": request.rows_pseudonymized,
            "legal_holds": holds,
            "key_destroyed_at": destroyed_at,
            "backup_horizon": (destroyed_at or timezone.now()).date()
            + timedelta(days=settings.KEY_BACKUP_RETENTION_DAYS),
            "processors_notified": notified,
        },
    )
    now = timezone.now()
    # The storefront's change feed hears of it (the id sealed, like a pending notice).
    record_erased(customer_id=request.subject_id)
    # Done: the request keeps the pseudonym only, so nothing in the data database
    # links the pseudonymized rows back to the customer's id.
    _mark(
        request,
        ErasureStep.CERTIFIED,
        status=ErasureStatus.DONE,
        completed_at=now,
        subject_id=None,
        lease_expires_at=None,
    )
    # The audit trail records the one change it allows: how many of its own rows this
    # erasure pseudonymized (audit/chain.py: the chain still verifies across it).
    audit_category = registry.entry_for(AuditEvent).category
    _record_outcome(
        request,
        AuditAction.ERASURE_COMPLETED,
        audit_events_pseudonymized=request.rows_pseudonymized.get(audit_category, 0),
    )


def _record_outcome(request: ErasureRequest, action: AuditAction, **metadata) -> None:
    # The subject is named by pseudonym only, like every reference erasure leaves.
    with transaction.atomic():
        record_event(
            actor=SYSTEM,
            action=action,
            object_type="disposal.erasurerequest",
            object_id=request.pk,
            subject_pseudonym=request.subject_pseudonym,
            purpose="erasure",
            metadata={"attempt": request.attempts, **metadata},
        )


STEPS = (
    (ErasureStep.KEY_DESTROYED, _destroy_key),
    (ErasureStep.FORGOTTEN, _forget),
    (ErasureStep.PROCESSORS_NOTIFIED, _notify_processors),
    (ErasureStep.ROWS_ERASED, _erase_rows),
    (ErasureStep.CERTIFIED, _certify),
)


def _pause_for_tests(step: ErasureStep) -> None:
    """ERASURE_TEST_PAUSE ("step:seconds") holds a run before that step, so a test can
    kill the worker in the middle of an erasure. Unset everywhere but such a test."""
    name, _sep, seconds = settings.ERASURE_TEST_PAUSE.partition(":")
    if name == step.value:
        time.sleep(float(seconds or 0))


def run_erasure(
    *, request_id: uuid.UUID, until: ErasureStep | None = None, holder: str = ""
) -> ErasureRequest:
    """Run the steps not yet done. `until` stops after that step (tests use it to cut
    a run short the way a killed worker would). `holder` names the job (its retries
    share it), which may take over its own lease."""
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request_id)
        if request.status == ErasureStatus.DONE or leased_by_another(request, holder):
            # Done, or another worker is running it now (a redelivered message, a
            # sweep that raced a slow step): one run at a time.
            return request
        request.status = ErasureStatus.RUNNING
        request.attempts += 1
        request.started_at = timezone.now()
        request.lease_expires_at = _lease_end()
        request.lease_holder = holder
        request.error = ""
        request.save(
            update_fields=[
                "status", "attempts", "started_at", "lease_expires_at", "lease_holder", "error"
            ]
        )  # fmt: skip
    try:
        for step, action in STEPS:
            if not request.has_done(step):
                _pause_for_tests(step)
                action(request)
            if step == until:
                break
    except Exception as error:
        ErasureRequest.objects.filter(pk=request.pk).update(
            status=ErasureStatus.FAILED, error=type(error).__name__, lease_expires_at=None
        )
        _record_outcome(request, AuditAction.ERASURE_FAILED, error=type(error).__name__)
        raise
    if request.status == ErasureStatus.RUNNING:
        # Stopped on purpose (`until`): the next run may start at once.
        ErasureRequest.objects.filter(pk=request.pk).update(lease_expires_at=None)
    return request


def leased_by_another(request: ErasureRequest, holder: str = "") -> bool:
    """Is another job running this erasure now (its lease has not lapsed)?"""
    live = (
        request.status == ErasureStatus.RUNNING
        and request.lease_expires_at is not None
        and request.lease_expires_at > timezone.now()
    )
    return live and not (holder and request.lease_holder == holder)
