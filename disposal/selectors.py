"""Reads the surfaces share: erasure status and certificates."""

import uuid

from disposal.models import DisposalRecord, ErasureRequest


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
