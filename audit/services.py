"""Writing audit events. Callers are services, inside their own transaction, so an
event exists exactly when the action it records was committed."""

import uuid
from numbers import Number

from django.db import transaction

from audit.models import AuditAction, AuditEvent

SYSTEM = "system"


def staff_actor(user_id: int) -> str:
    return f"staff:{user_id}"


def _check_metadata(metadata: dict) -> dict:
    # Metadata carries counts, codes and ids. Free text could smuggle personal data in.
    for key, value in metadata.items():
        if not isinstance(value, (Number, bool, uuid.UUID, type(None))) and not (
            isinstance(value, str) and len(value) <= 64 and "@" not in value
        ):
            raise ValueError(f"audit metadata {key!r} must be a number, id or short code")
    return {
        key: str(value) if isinstance(value, uuid.UUID) else value
        for key, value in metadata.items()
    }


def record_event(
    *,
    actor: str,
    action: AuditAction,
    object_type: str,
    object_id,
    subject_id: uuid.UUID | None = None,
    subject_pseudonym: uuid.UUID | None = None,
    purpose: str = "",
    metadata: dict | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the service's transaction.")
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_id=subject_id,
        subject_pseudonym=subject_pseudonym,
        purpose=purpose,
        metadata=_check_metadata(metadata or {}),
    )


@transaction.atomic
def record_access(
    *, actor: str, action: AuditAction, subject_id: uuid.UUID, object_type: str, purpose: str
) -> AuditEvent:
    """A read of personal data (API read, export, staff reveal): who looked, and why."""
    return record_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=subject_id,
        subject_id=subject_id,
        purpose=purpose,
    )
