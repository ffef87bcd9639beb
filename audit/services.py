"""Writing audit events. Callers are services, inside their own transaction, so an
event exists exactly when the action it records was committed."""

import json
import logging
import uuid
from datetime import datetime, timedelta
from numbers import Number
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from audit import chain
from audit.models import AuditAction, AuditEvent, AuditSeal, AuditSealEntry

logger = logging.getLogger(__name__)

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
    """Append one event. An event whose object is a customer names that customer as its
    subject too (`object_id=customer.pk, subject_id=customer.pk`): erasure and the hash
    chain rely on it (audit/chain.py)."""
    return record_events(
        [
            AuditEvent(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                subject_id=subject_id,
                subject_pseudonym=subject_pseudonym,
                purpose=purpose,
                metadata=metadata or {},
            )
        ]
    )[0]


def record_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many events in one insert (bulk writes), with record_event's rules."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the service's transaction.")
    for event in events:
        event.object_id = str(event.object_id)
        event.metadata = _check_metadata(event.metadata)
    return AuditEvent.objects.bulk_create(events)


_COPY_COLUMNS = (
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "subject_id",
    "subject_pseudonym",
    "purpose",
    "metadata",
)


class NewEvent(NamedTuple):
    """An event to append, as plain values (building 500 AuditEvent instances was a
    tenth of a purchase batch, as profiled)."""

    actor: str
    action: str
    object_type: str
    object_id: str
    subject_id: uuid.UUID | None = None
    subject_pseudonym: uuid.UUID | None = None
    purpose: str = ""
    metadata: dict | None = None


def append_events(events: list[NewEvent]) -> None:
    """`record_events` for writes that never read the new rows' ids (a purchase batch's
    500 events): by COPY on PostgreSQL, one round trip without RETURNING; bulk_create
    elsewhere. The same rows, the same rules."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        record_events([AuditEvent(**event._asdict()) for event in events])
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events are written inside the service's transaction.")
    now = timezone.now()
    # A batch's events mostly share their metadata ({"lines": 1}): checked and encoded
    # once per distinct value (every allowed value is a number, id, short code or None:
    # hashable; anything else goes to _check_metadata, which refuses it).
    encoded: dict[tuple, str] = {}

    def as_json(metadata: dict) -> str:
        key = tuple((name, type(value), value) for name, value in metadata.items())
        try:
            if key in encoded:
                return encoded[key]
        except TypeError:
            return json.dumps(_check_metadata(metadata))
        encoded[key] = json.dumps(_check_metadata(metadata))
        return encoded[key]

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY audit_auditevent ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
        ) as copy,
    ):
        for event in events:
            copy.write_row(
                (
                    now,
                    event.actor,
                    event.action,
                    event.object_type,
                    str(event.object_id),
                    event.subject_id,
                    event.subject_pseudonym,
                    event.purpose,
                    as_json(event.metadata or {}),
                )
            )


def record_access(
    *, actor: str, action: AuditAction, subject_id: uuid.UUID, object_type: str, purpose: str
) -> AuditEvent:
    """A read of personal data (API read, export, staff reveal): who looked, and why.

    A read changes nothing for the event to be atomic with, and one INSERT commits by
    itself: outside a transaction it is written without BEGIN and COMMIT around it (two
    round trips fewer on every audited API read, as profiled; see
    docs/architecture/benchmarks.md)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(subject_id),
        subject_id=subject_id,
        purpose=purpose,
        metadata={},
    )
    event.save(force_insert=True)
    return event


def _settled_before(settle_seconds: int) -> datetime:
    """Events older than this can be sealed: every transaction that could still commit an
    event with a smaller id has finished by then (see audit/chain.py, "Order")."""
    margin = timedelta(seconds=settle_seconds)
    cutoff = timezone.now() - margin
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Client sessions of this database (the application's role sees its own
            # sessions' start times); autovacuum and replication are not writers.
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
            oldest_open = cursor.fetchone()[0]
        if oldest_open is not None:
            cutoff = min(cutoff, oldest_open - margin)
            if timezone.now() - oldest_open > timedelta(minutes=15):
                logger.warning(
                    "audit sealing held back: a transaction has been open since %s",
                    oldest_open.isoformat(),
                )
    return cutoff


def _first_unsettled_id(cutoff: datetime) -> int:
    """Seal only ids below this: the first event not settled by `cutoff`, or past the
    last event there is now (what arrives while sealing waits for the next run)."""
    # Two index lookups (recent events by time, the last id), never a table scan.
    unsettled = AuditEvent.objects.filter(occurred_at__gte=cutoff).aggregate(id=Min("id"))["id"]
    if unsettled is not None:
        return unsettled
    return (AuditEvent.objects.aggregate(id=Max("id"))["id"] or 0) + 1


@transaction.atomic
def _seal_next_batch(*, batch_size: int, below: int) -> AuditSeal | None:
    head = AuditSeal.objects.select_for_update().order_by("-number").first()
    after = head.last_event_id if head else 0
    # A prefix in id order only: never seal past an event that may not be settled.
    pending = AuditEvent.objects.filter(id__gt=after, id__lt=below)
    rows = list(pending.order_by("id").values(*chain.EVENT_FIELDS)[:batch_size])
    if not rows:
        return None
    entries = [(row["id"], chain.event_digest(row)) for row in rows]
    fields = {
        "number": head.number + 1 if head else 1,
        "previous_digest": head.digest if head else chain.GENESIS,
        "first_event_id": entries[0][0],
        "last_event_id": entries[-1][0],
        "event_count": len(entries),
        "events_digest": chain.events_digest(entries),
        "sealed_at": timezone.now(),
    }
    seal = AuditSeal.objects.create(
        **fields, key_id=chain.seal_key_id(), digest=chain.seal_digest(**fields)
    )
    AuditSealEntry.objects.bulk_create(
        AuditSealEntry(event_id=event_id, seal=seal, digest=digest) for event_id, digest in entries
    )
    return seal


def seal_pending_events(
    *, batch_size: int | None = None, settle_seconds: int | None = None, progress=None
) -> list[AuditSeal]:
    """Seal every settled event not yet sealed, one seal per batch (each batch its own
    transaction). Idempotent: with nothing new, it seals nothing. Two sealers at once
    cannot fork the chain (seal numbers and entries are unique); the loser stops."""
    batch_size = batch_size or settings.AUDIT_SEAL_BATCH_SIZE
    if settle_seconds is None:
        settle_seconds = settings.AUDIT_SEAL_SETTLE_SECONDS
    below = _first_unsettled_id(_settled_before(settle_seconds))
    seals = []
    while True:
        try:
            seal = _seal_next_batch(batch_size=batch_size, below=below)
        except IntegrityError:
            logger.info("audit sealing: another sealer got there first; stopping")
            break
        if seal is None:
            break
        seals.append(seal)
        if progress:
            progress(seal)
    if seals:
        # The head digest in the logs anchors the chain outside the database.
        logger.info(
            "audit sealed %d events in %d seals; head seal #%d digest %s",
            sum(seal.event_count for seal in seals),
            len(seals),
            seals[-1].number,
            seals[-1].digest,
        )
    return seals
