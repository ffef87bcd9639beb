"""The erasure pipeline: request, extend, run. Each step is idempotent and recorded on
the request, so a run cut short (a killed worker) is finished by the next run."""

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import SYSTEM, record_event, record_events
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
from vault.services import SYSTEM_SUBJECT, destroy_keys, ensure_data_key, subject_pseudonym

MAX_EXTENSION_MONTHS = 2

logger = logging.getLogger(__name__)


def open_request_for(subject_id: uuid.UUID) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        subject_id=subject_id, status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
    ).first()


def _new_request(subject_id, source: ErasureSource, actor: str, language: str = ""):
    return ErasureRequest(
        subject_id=subject_id,
        subject_pseudonym=subject_pseudonym(subject_id),
        source=source,
        requested_by=actor,
        due_by=add_months(timezone.localdate(), 1),
        # Known from the start, so the person can be told it while we can write.
        certificate_id=uuid.uuid4(),
        language=language[:16],
    )


def _requested_event(request: ErasureRequest) -> AuditEvent:
    return AuditEvent(
        actor=request.requested_by,
        action=AuditAction.ERASURE_REQUESTED,
        object_type="disposal.erasurerequest",
        object_id=request.pk,
        subject_id=request.subject_id,
        purpose="erasure",
        metadata={"source": request.source},
    )


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
            request = _new_request(subject_id, source, actor, language)
            request.save(force_insert=True)
            record_events([_requested_event(request)])
            enqueue("disposal.tasks.run_erasure", str(request.pk))
    except IntegrityError:
        # Another request for this subject opened between the check and the insert.
        return open_request_for(subject_id)
    return request


def request_erasures(
    *, customer_ids: list, source: ErasureSource, actor: str, require_customer: bool = True
) -> int:
    """Open erasure requests for many subjects (a retention sweep): ERASURE_BATCH_SIZE at
    a time, each chunk in one transaction with one job, which takes the chunk's other
    requests along as its batch (the minute's sweep starts any a lost job leaves). A
    subject with a request open already, or (with `require_customer`) no customer row,
    is left out. Returns how many requests it opened."""
    opened = 0
    size = max(settings.ERASURE_BATCH_SIZE, 1)
    subject_ids = [uuid.UUID(str(pk)) for pk in customer_ids]
    for start in range(0, len(subject_ids), size):
        chunk = subject_ids[start : start + size]
        try:
            opened += _open_requests(chunk, source, actor, require_customer)
        except IntegrityError:
            # A request for one of them opened meanwhile: the chunk one at a time, and
            # the one already open is left out.
            for subject_id in chunk:
                with contextlib.suppress(IntegrityError):
                    opened += _open_requests([subject_id], source, actor, require_customer)
    return opened


@transaction.atomic
def _open_requests(subject_ids: list, source: ErasureSource, actor: str, require: bool) -> int:
    waiting = set(
        ErasureRequest.objects.filter(
            subject_id__in=subject_ids,
            status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING],
        ).values_list("subject_id", flat=True)
    )
    known = (
        set(Customer.objects.filter(pk__in=subject_ids).values_list("pk", flat=True))
        if require
        else set(subject_ids)
    )
    requests = ErasureRequest.objects.bulk_create(
        _new_request(subject_id, source, actor)
        for subject_id in subject_ids
        if subject_id in known and subject_id not in waiting
    )
    if not requests:
        return 0
    record_events([_requested_event(request) for request in requests])
    enqueue("disposal.tasks.run_erasure", str(requests[0].pk))
    return len(requests)


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


def _mark(requests: list[ErasureRequest], step: ErasureStep, *fields: str, renew=True) -> None:
    """Record a finished step on every request of the batch and renew their lease;
    `fields` names the other fields the step set on them. One UPDATE per distinct set of
    values (a batch at the same point shares one)."""
    lease = _lease_end()
    groups: dict[str, tuple[dict, list]] = {}
    for request in requests:
        request.steps_done = [*request.steps_done, step.value]
        if renew:
            request.lease_expires_at = lease
        values = {
            name: getattr(request, name) for name in ("steps_done", "lease_expires_at", *fields)
        }
        key = json.dumps(values, sort_keys=True, cls=DjangoJSONEncoder)
        groups.setdefault(key, (values, []))[1].append(request.pk)
    for values, pks in groups.values():
        ErasureRequest.objects.filter(pk__in=pks).update(**values)


# Called as handler(request=...) just before the key is destroyed, while the customer's
# address can still be read (the portal mails the certificate number). A handler deals
# with its own failures: the erasure does not wait for a mail server.
_before_key_destroyed: list[Callable] = []


def register_before_key_destroyed(handler: Callable) -> None:
    if handler not in _before_key_destroyed:
        _before_key_destroyed.append(handler)


def _destroy_keys(requests: list[ErasureRequest]) -> None:
    for request in requests:
        for handler in _before_key_destroyed:
            handler(request=request)
    # The tombstones first, in the key store's own transaction: from here on a restore
    # of the data database can always be brought back in line (replay_erasures).
    now = timezone.now()
    with transaction.atomic(using=KEYS_DB):
        Tombstone.objects.bulk_create(
            [
                Tombstone(pseudonym=request.subject_pseudonym, erased_at=now, request_id=request.pk)
                for request in requests
            ],
            ignore_conflicts=True,  # a re-run keeps the first erasure time
        )
        destroy_keys(subject_ids=[request.subject_id for request in requests])
    _mark(requests, ErasureStep.KEY_DESTROYED)


def _forget(requests: list[ErasureRequest]) -> None:
    subject_ids = [request.subject_id for request in requests]
    for handler in registry.forget_handlers().values():
        handler(subject_ids)
    _mark(requests, ErasureStep.FORGOTTEN)


@transaction.atomic
def _notify_processors(requests: list[ErasureRequest]) -> None:
    shared: dict[uuid.UUID, set] = {}
    disclosures = Disclosure.objects.filter(customer_id__in=[r.subject_id for r in requests])
    for customer_id, processor_id in disclosures.values_list("customer_id", "processor_id"):
        shared.setdefault(customer_id, set()).add(processor_id)
    if shared:
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
        for request in requests
        for processor_id in sorted(shared.get(request.subject_id, ()))
    ]
    for delivery in deliveries:
        enqueue("disposal.tasks.deliver_webhook", str(delivery.pk))
    _mark(requests, ErasureStep.PROCESSORS_NOTIFIED)


@transaction.atomic
def _erase_rows(requests: list[ErasureRequest]) -> None:
    """Every registered table in one transaction, a statement or two per table for the
    whole batch: the subjects' own rows last."""
    pseudonyms = {request.subject_id: request.subject_pseudonym for request in requests}
    for request in requests:
        request.rows_erased = dict(request.rows_erased)
        request.rows_pseudonymized = dict(request.rows_pseudonymized)
    for entry in sorted(registry.entries(), key=lambda entry: entry.is_subject_row):
        changed = entry.erase_many(pseudonyms)
        for request in requests:
            counts = (
                request.rows_erased
                if entry.erasure is registry.Erasure.DELETE
                else request.rows_pseudonymized
            )
            counts[entry.category] = counts.get(entry.category, 0) + changed[request.subject_id]
    _mark(requests, ErasureStep.ROWS_ERASED, "rows_erased", "rows_pseudonymized")


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
def _certify(requests: list[ErasureRequest]) -> None:
    destroyed = dict(
        DataKey.objects.filter(subject_id__in=[r.subject_id for r in requests]).values_list(
            "subject_id", "destroyed_at"
        )
    )
    methods, holds = erasure_methods()
    notified: dict[uuid.UUID, list] = {}
    deliveries = WebhookDelivery.objects.filter(erasure_request__in=requests)
    for delivery in deliveries.select_related("processor").order_by("processor__name"):
        notified.setdefault(delivery.erasure_request_id, []).append(
            {
                "processor": delivery.processor.name,
                "agreement": delivery.processor.agreement_reference,
            }
        )
    certified = set(
        DisposalRecord.objects.filter(erasure_request__in=requests).values_list(
            "erasure_request_id", flat=True
        )
    )
    records = []
    for request in requests:
        destroyed_at = destroyed.get(request.subject_id)
        if request.pk in certified:
            continue
        records.append(
            DisposalRecord(
                id=request.certificate_id or uuid.uuid4(),
                erasure_request=request,
                kind=DisposalKind.ERASURE,
                subject_pseudonym=request.subject_pseudonym,
                categories=sorted(methods),
                method={"key": "crypto-shredded (data key destroyed)", **methods},
                rows_removed=request.rows_erased,
                rows_pseudonymized=request.rows_pseudonymized,
                legal_holds=holds,
                key_destroyed_at=destroyed_at,
                backup_horizon=(destroyed_at or timezone.now()).date()
                + timedelta(days=settings.KEY_BACKUP_RETENTION_DAYS),
                processors_notified=notified.get(request.pk, []),
            )
        )
    DisposalRecord.objects.bulk_create(records)
    now = timezone.now()
    # The storefront's change feed hears of them (the ids sealed, like a pending notice).
    record_erased(customer_ids=[request.subject_id for request in requests])
    for request in requests:
        # Done: the request keeps the pseudonym only, so nothing in the data database
        # links the pseudonymized rows back to the customer's id.
        request.status = ErasureStatus.DONE
        request.completed_at = now
        request.subject_id = None
        request.lease_expires_at = None
    _mark(requests, ErasureStep.CERTIFIED, "status", "completed_at", "subject_id", renew=False)
    # The audit trail records the one change it allows: how many of its own rows this
    # erasure pseudonymized (audit/chain.py: the chain still verifies across it).
    audit_category = registry.entry_for(AuditEvent).category
    _record_outcomes(
        requests,
        AuditAction.ERASURE_COMPLETED,
        lambda request: {
            "audit_events_pseudonymized": request.rows_pseudonymized.get(audit_category, 0)
        },
    )


def _record_outcomes(
    requests: list[ErasureRequest], action: AuditAction, metadata: Callable = dict
) -> None:
    # The subject is named by pseudonym only, like every reference erasure leaves.
    with transaction.atomic():
        record_events(
            [
                AuditEvent(
                    actor=SYSTEM,
                    action=action,
                    object_type="disposal.erasurerequest",
                    object_id=request.pk,
                    subject_pseudonym=request.subject_pseudonym,
                    purpose="erasure",
                    metadata={"attempt": request.attempts, **metadata(request)},
                )
                for request in requests
            ]
        )


STEPS = (
    (ErasureStep.KEY_DESTROYED, _destroy_keys),
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
    *,
    request_id: uuid.UUID,
    until: ErasureStep | None = None,
    holder: str = "",
    batch_size: int = 1,
) -> ErasureRequest:
    """Run the steps not yet done, together with up to `batch_size - 1` other pending
    requests (the job passes ERASURE_BATCH_SIZE): each step is a few statements for the
    whole batch, so a wave of erasures costs little more than one. `until` stops after
    that step (tests use it to cut a run short the way a killed worker would). `holder`
    names the job (its retries share it), which may take over its own leases.

    A batch that fails (other than by a lost connection, which the job's retry resumes)
    is run again one request at a time, so one request's fault cannot hold up the rest:
    that request is marked failed, and its error raised if it is this job's own."""
    # Done, or another job is running it now (a batch that took it in, a redelivered
    # message, a sweep that raced a slow step): one run at a time. A plain read first,
    # as most messages of a wave find their request done or taken by a batch.
    request = ErasureRequest.objects.get(pk=request_id)
    if request.status == ErasureStatus.DONE or leased_by_another(request, holder):
        return request
    requests = _claim(request_id, holder, batch_size)
    if not requests:  # taken between the read and the lock
        return ErasureRequest.objects.get(pk=request_id)
    own = requests[0]  # this job's own request comes first
    try:
        _run_steps(requests, until)
    except (OperationalError, InterfaceError) as error:
        if len(requests) == 1:
            _fail(own, error)
        raise  # the database went away: the job's retry takes its batch up again
    except Exception as error:
        if len(requests) == 1:
            _fail(own, error)
            raise
        logger.warning(
            "erasure batch of %d failed (%s): running each alone",
            len(requests),
            type(error).__name__,
        )
        own_error = None
        for request in requests:
            request.refresh_from_db()
            try:
                _run_steps([request], until)
            except Exception as alone:
                _fail(request, alone)
                if request is own:
                    own_error = alone
        if own_error is not None:
            raise own_error from error
    stopped = [request for request in requests if request.status == ErasureStatus.RUNNING]
    if stopped:
        # Stopped on purpose (`until`): the next run may start at once.
        ErasureRequest.objects.filter(pk__in=[request.pk for request in stopped]).update(
            lease_expires_at=None
        )
    return own


def _claim(request_id: uuid.UUID, holder: str, batch_size: int) -> list[ErasureRequest]:
    """Lease the request, and up to batch_size - 1 others waiting (pending, or this
    job's own from a run its retry resumes), oldest first; [] if the request is done or
    another job holds it. Requests other jobs have locked are skipped, not waited for."""
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request_id)
        if request.status == ErasureStatus.DONE or leased_by_another(request, holder):
            return []
        waiting = Q(status=ErasureStatus.PENDING)
        if holder:
            waiting |= Q(status=ErasureStatus.RUNNING, lease_holder=holder)
        others = (
            ErasureRequest.objects.select_for_update(skip_locked=True)
            .filter(waiting)
            .exclude(pk=request.pk)
            .order_by("requested_at")[: max(batch_size - 1, 0)]
            if batch_size > 1
            else []
        )
        requests = [request, *others]
        now, lease = timezone.now(), _lease_end()
        for each in requests:
            each.status = ErasureStatus.RUNNING
            each.attempts += 1
            each.started_at = now
            each.lease_expires_at = lease
            each.lease_holder = holder
            each.error = ""
        ErasureRequest.objects.filter(pk__in=[each.pk for each in requests]).update(
            status=ErasureStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            lease_expires_at=lease,
            lease_holder=holder,
            error="",
        )
    return requests


def _run_steps(requests: list[ErasureRequest], until: ErasureStep | None) -> None:
    for step, action in STEPS:
        todo = [request for request in requests if not request.has_done(step)]
        if todo:
            _pause_for_tests(step)
            action(todo)
        if step == until:
            break


def _fail(request: ErasureRequest, error: BaseException) -> None:
    ErasureRequest.objects.filter(pk=request.pk).update(
        status=ErasureStatus.FAILED, error=type(error).__name__, lease_expires_at=None
    )
    request.status = ErasureStatus.FAILED
    _record_outcomes(
        [request], AuditAction.ERASURE_FAILED, lambda _request: {"error": type(error).__name__}
    )


def leased_by_another(request: ErasureRequest, holder: str = "") -> bool:
    """Is another job running this erasure now (its lease has not lapsed)?"""
    live = (
        request.status == ErasureStatus.RUNNING
        and request.lease_expires_at is not None
        and request.lease_expires_at > timezone.now()
    )
    return live and not (holder and request.lease_holder == holder)
