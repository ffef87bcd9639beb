"""Reads the surfaces share: erasure status and certificates."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from disposal.models import Disclosure, DisposalRecord, ErasureRequest, ErasureStatus, ErasureStep


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


def disclosures_of(customer_id: uuid.UUID, limit: int = 50) -> list[Disclosure]:
    """Which processors received which categories of the customer's data, newest first."""
    return list(
        Disclosure.objects.filter(customer_id=customer_id)
        .select_related("processor")
        .order_by("-disclosed_at")[:limit]
    )
