"""Reads the surfaces share: erasure status and certificates, the data-carrier
register, overdue copies and incidents."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from access.roles import user_of_actor
from customers.models import Customer
from customers.selectors import customer_get, live_customer_ids
from disposal.models import (
    AUTOMATIC_KINDS,
    CarrierKind,
    CarrierStatus,
    DataCarrier,
    Disclosure,
    DisposalRecord,
    ErasureRequest,
    ErasureStatus,
    ErasureStep,
    Incident,
    IncidentStatus,
    ReportRecipient,
    RetentionCategory,
    RetentionPolicy,
    SanitizationRecord,
)
from disposal.services import erasure_methods
from vault.services import preload, subject_pseudonym


def certificate_of(request: ErasureRequest) -> dict | None:
    record = DisposalRecord.objects.filter(erasure_request=request).first()
    if record is None:
        return None
    deliveries = {
        delivery.processor.name: delivery.status
        for delivery in request.deliveries.select_related("processor")
    }
    return {
        "id": str(record.pk),
        "erasure_request": str(request.pk),
        "subject_pseudonym": str(record.subject_pseudonym),
        "categories": record.categories,
        "method": record.method,
        "rows_removed": record.rows_removed,
        "rows_pseudonymized": record.rows_pseudonymized,
        "legal_holds": record.legal_holds,
        "key_destroyed_at": record.key_destroyed_at,
        "backup_horizon": record.backup_horizon,
        "processors_notified": [
            {**notified, "delivery": deliveries.get(notified["processor"], "unknown")}
            for notified in record.processors_notified
        ],
        "issued_at": record.created_at,
    }


def erasure_request_of_subject(customer_id) -> ErasureRequest | None:
    """The latest erasure request for a customer id, open or done. Found through the
    subject's pseudonym (a keyed hash of the id), because a done request no longer holds
    the id itself."""
    try:
        pseudonym = subject_pseudonym(uuid.UUID(str(customer_id)))
    except ValueError:
        return None
    return (
        ErasureRequest.objects.filter(subject_pseudonym=pseudonym).order_by("-requested_at").first()
    )


def erasure_request_get(request_id) -> ErasureRequest | None:
    try:
        return ErasureRequest.objects.filter(pk=uuid.UUID(str(request_id))).first()
    except ValueError:
        return None


def erasures_per_week(weeks: int = 12) -> list[tuple[date, int]]:
    """Erasures completed per ISO week (Monday), oldest first, the last `weeks` weeks."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    counts: dict[date, int] = {}
    done = ErasureRequest.objects.filter(
        status=ErasureStatus.DONE, completed_at__date__gte=first
    ).values_list("completed_at", flat=True)
    for completed_at in done:
        day = timezone.localtime(completed_at).date()
        monday = day - timedelta(days=day.weekday())
        counts[monday] = counts.get(monday, 0) + 1
    return [
        (first + timedelta(weeks=i), counts.get(first + timedelta(weeks=i), 0))
        for i in range(weeks)
    ]


def erasure_progress(request: ErasureRequest) -> list[tuple[str, str, bool]]:
    """(step code, label, done) for each pipeline step, in order."""
    return [(step.value, step.label, request.has_done(step)) for step in ErasureStep]


# Which registry categories each retention policy disposes of (inactive customers are
# erased whole, so that policy bounds every category).
POLICY_CATEGORIES = {
    RetentionCategory.INTERACTIONS: "interactions",
    RetentionCategory.PURCHASE_DETAIL: "purchases",
}


@dataclass(frozen=True)
class Keeping:
    """How long one category of a customer's data is kept, and what erasure does to it."""

    category: str
    on_erasure: str  # "deleted", "pseudonymized", or a per-table mix
    kept_days: int | None  # rows go this long after they were recorded (a policy)
    inactive_days: int | None  # the whole account goes after this long without activity
    legal_hold: str  # why the law keeps rows after erasure, if it does
    hold_days: int


def keeping_by_category() -> dict[str, Keeping]:
    """Every registered category with its retention (from the active policies) and the
    legal hold that outlives erasure (from the registry): what a customer is told."""
    methods, holds = erasure_methods()
    policies = {
        policy.category: policy.keep_days for policy in RetentionPolicy.objects.filter(active=True)
    }
    inactive = policies.get(RetentionCategory.INACTIVE_CUSTOMERS)
    kept = {
        category: policies[policy]
        for policy, category in POLICY_CATEGORIES.items()
        if policy in policies
    }
    return {
        category: Keeping(
            category=category,
            on_erasure=method,
            kept_days=kept.get(category),
            inactive_days=inactive,
            legal_hold=holds.get(category, {}).get("reason", ""),
            hold_days=holds.get(category, {}).get("kept_days", 0),
        )
        for category, method in methods.items()
    }


def open_erasure_for(subject_id: uuid.UUID) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        subject_id=subject_id, status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
    ).first()


def disclosures_of(subject_id: uuid.UUID):
    """Which processors received which categories of the customer's data, newest first."""
    return Disclosure.objects.filter(customer_id=subject_id).select_related("processor")


def subjects_being_erased(subject_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the subjects with an erasure started and not done (pending, running, or
    failed and waiting for an operator). Registered with customers.selectors."""
    return set(
        # = ANY(one array): one plan for any number of ids (runtime/lookups.py).
        ErasureRequest.objects.filter(subject_id__any_of=subject_ids)
        .exclude(status=ErasureStatus.DONE)
        .values_list("subject_id", flat=True)
    )


def live_customer(customer_id) -> Customer | None:
    """THE "live customer or 404" check for every surface (API, portal, dashboard).

    The customer, unless unknown or being erased: from the first step of an erasure (a
    request opened, even one that failed and waits for an operator, or the data key
    destroyed) every surface treats them as gone, answers 404, and the services refuse
    purchase lines and consent changes for them (customers.selectors.live_customer_ids,
    the same rule for many ids)."""
    customer = customer_get(customer_id)
    if customer is None:
        return None
    # Within a request's key scope the key is loaded now, live or not at all: the check
    # below then needs no key-store query of its own, and decryption finds it loaded.
    preload([customer.pk])
    if not live_customer_ids([customer.pk], rows_loaded=True):
        return None
    return customer


# The data-carrier register.


def carrier_register(*, status: str = "", kind: str = "") -> QuerySet:
    queryset = DataCarrier.objects.select_related("custodian", "processor", "sanitization")
    if status in CarrierStatus.values:
        queryset = queryset.filter(status=status)
    if kind in CarrierKind.values:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("kind", "registered_at")


def carrier_get(carrier_id) -> DataCarrier | None:
    try:
        pk = uuid.UUID(str(carrier_id))
    except ValueError:
        return None
    return (
        DataCarrier.objects.select_related(
            "custodian",
            "processor",
            "sanitization__performed_by",
            "sanitization__verified_by",
        )
        .filter(pk=pk)
        .first()
    )


def sanitization_of(carrier: DataCarrier) -> SanitizationRecord | None:
    """The carrier's sanitization record, with `recorder` (the staff user who recorded
    it, or None when a command did) for the certificate."""
    record = (
        SanitizationRecord.objects.select_related("performed_by", "verified_by")
        .filter(carrier=carrier)
        .first()
    )
    if record is not None:
        record.recorder = user_of_actor(record.recorded_by)
    return record


def overdue_copies(*, now=None) -> QuerySet:
    """Exported files and processors' copies past their expiry that nobody confirmed
    destroyed (lost ones are incidents instead; sanitized ones have a certificate)."""
    now = now or timezone.now()
    return (
        DataCarrier.objects.select_related("processor")
        .filter(
            kind__in=AUTOMATIC_KINDS,
            status=CarrierStatus.IN_SERVICE,
            expires_at__lte=now,
            destroyed_confirmed_at__isnull=True,
        )
        .order_by("expires_at")
    )


def open_incidents() -> QuerySet:
    return Incident.objects.select_related("carrier").filter(status=IncidentStatus.OPEN)


def incident_list(*, status: str = "") -> QuerySet:
    """Incidents newest first, with whom each was reported to (for the deadline column)."""
    queryset = Incident.objects.select_related("carrier").prefetch_related("reports")
    if status in IncidentStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-discovered_at")


def incident_get(incident_id) -> Incident | None:
    try:
        pk = uuid.UUID(str(incident_id))
    except ValueError:
        return None
    return (
        Incident.objects.select_related("carrier").prefetch_related("reports").filter(pk=pk).first()
    )


AUTHORITIES = (ReportRecipient.AUTHORITY, ReportRecipient.MINISTRY)


@dataclass(frozen=True)
class NotificationClock:
    """Where an incident stands against the deadlines to tell the authority: GDPR's
    72 hours and UU 27/2022's 3 x 24 hours, both from when it was discovered."""

    gdpr_deadline: datetime
    uu_pdp_deadline: datetime
    authority_told_at: datetime | None
    hours_left: int | None  # None once the authority was told or the incident closed
    overdue: bool


def notification_clock(incident: Incident, *, now: datetime | None = None) -> NotificationClock:
    now = now or timezone.now()
    told = [r.reported_at for r in incident.reports.all() if r.recipient in AUTHORITIES]
    told_at = min(told) if told else None
    deadline = min(incident.gdpr_deadline, incident.uu_pdp_deadline)
    running = told_at is None and incident.status == IncidentStatus.OPEN
    return NotificationClock(
        gdpr_deadline=incident.gdpr_deadline,
        uu_pdp_deadline=incident.uu_pdp_deadline,
        authority_told_at=told_at,
        hours_left=max(0, int((deadline - now).total_seconds() // 3600)) if running else None,
        overdue=(told_at or now) > deadline and (told_at is not None or running),
    )
