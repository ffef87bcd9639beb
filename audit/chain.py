"""The audit hash chain: how events are sealed, and how a chain is verified.

Sealing (`audit.services.seal_pending_events`, Celery beat `audit.tasks.seal_audit_events`,
`manage.py seal_audit`) takes the events not yet sealed, in id order, and writes one
`AuditSeal` per batch plus one `AuditSealEntry` (event id, digest) per event:

    event digest  = SHA-256("custodian.audit-event/1\\n" + canonical JSON of the event)
    events digest = SHA-256 over "<event id>:<event digest>\\n" for the batch, in id order
    seal digest   = HMAC-SHA256(seal key, "custodian.audit-seal/1\\n" + number, previous
                    seal's digest, first and last event id, event count, events digest,
                    sealed_at, each on its own line)

Each seal names the previous seal's digest (the first names 64 zeros), so changing,
inserting or removing anything sealed breaks every digest after it. The seal key is an
HKDF subkey of the pseudonym key (`VAULT_PSEUDONYM_KEY`, which defaults to
`VAULT_INDEX_KEY` and never rotates; `vault.blind_index`, column "custodian.audit-seal"):
someone who can write to the data database but does not hold the key cannot forge a
seal, and `key_id` on each seal says which key made it. The blind-index key may rotate
(`rotate_index_key`) without touching the chain.

Surviving erasure. Erasure keeps audit rows but unlinks them (vault.registry):
`subject_id` becomes NULL, `subject_pseudonym` becomes `subject_pseudonym(subject_id)`
(a keyed HMAC shaped as a UUID), and an `object_id` that held the subject's id becomes
that pseudonym. So the canonical form of an event never holds the raw subject id:

    subject   = subject_pseudonym(subject_id) if subject_id, else subject_pseudonym, else ""
    object_id = subject_pseudonym(subject_id) if object_id == str(subject_id), else object_id

Before erasure and after it, the event's canonical form is the same, so the chain still
verifies; every other column (id, time, actor, action, object type, purpose, metadata)
is hashed as stored. Only this exact change is possible: on PostgreSQL a trigger refuses
every other UPDATE (audit.models.PSEUDONYMIZATION), and a forged pseudonym fails
verification because the seal holds the pseudonym of the original subject. Erasure is
itself recorded (the `erasure.completed` event and the certificate's row counts). It
relies on one invariant, true of every call site: an event whose object is a customer
names that customer as its subject.

Order. Events are sealed in id order, but ids are handed out when a row is inserted and
rows become visible when their transaction commits, so a sealer must not seal id 101
while a transaction that holds id 100 is still open. It seals only a prefix of events
older than `AUDIT_SEAL_SETTLE_SECONDS` and, on PostgreSQL, older than the oldest
transaction still open on the database.

Verification (`verify_chain`, `manage.py verify_audit`) recomputes every seal and every
sealed event and reports, in id order, events that are altered (digest differs), missing
(sealed, now gone) or inserted (no entry, but within or before the sealed range), and
seals that are altered, missing or made under another key.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from vault.blind_index import blind_index
from vault.keyring import pseudonym_key
from vault.pseudonyms import subject_pseudonym

SEAL_COLUMN = "custodian.audit-seal"
KEY_PROBLEM = "made under another key"
GENESIS = "0" * 64
EVENT_FIELDS = (
    "id",
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


@lru_cache(maxsize=65536)
def _pseudonym(key: bytes, subject_id) -> str:
    # A customer has many events: one HMAC per subject and key, not one per event.
    return str(subject_pseudonym(subject_id))


def canonical_event(row: dict) -> dict:
    """The sealed form of an event (a dict of EVENT_FIELDS): what erasure cannot change."""
    subject_id = row["subject_id"]
    if subject_id is not None:
        subject = _pseudonym(pseudonym_key(), subject_id)
    elif row["subject_pseudonym"] is not None:
        subject = str(row["subject_pseudonym"])
    else:
        subject = ""
    object_id = row["object_id"]
    if subject_id is not None and object_id == str(subject_id):
        object_id = subject
    return {
        "id": row["id"],
        "occurred_at": row["occurred_at"].isoformat(),
        "actor": row["actor"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": object_id,
        "subject": subject,
        "purpose": row["purpose"],
        "metadata": row["metadata"],
    }


def event_digest(row: dict) -> str:
    text = json.dumps(
        canonical_event(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(b"custodian.audit-event/1\n" + text.encode()).hexdigest()


def events_digest(entries: list[tuple[int, str]]) -> str:
    """entries: (event id, event digest) in id order."""
    hasher = hashlib.sha256(b"custodian.audit-batch/1\n")
    for event_id, digest in entries:
        hasher.update(f"{event_id}:{digest}\n".encode())
    return hasher.hexdigest()


def seal_digest(
    *,
    number: int,
    previous_digest: str,
    first_event_id: int,
    last_event_id: int,
    event_count: int,
    events_digest: str,
    sealed_at,
) -> str:
    lines = [
        "custodian.audit-seal/1",
        str(number),
        previous_digest,
        str(first_event_id),
        str(last_event_id),
        str(event_count),
        events_digest,
        sealed_at.isoformat(),
    ]
    return blind_index(SEAL_COLUMN, "\n".join(lines), pseudonym_key())


def seal_key_id() -> str:
    """A public name for the current seal key (not the key, not reversible to it)."""
    return blind_index(SEAL_COLUMN, "custodian.audit-seal-key-id", pseudonym_key())[:16]


@dataclass(frozen=True)
class Problem:
    kind: str  # "altered", "missing", "inserted", "seal altered", "seal missing", ...
    detail: str
    event_id: int | None = None
    seal_number: int | None = None

    def __str__(self) -> str:
        if self.event_id is not None:
            return f"event {self.event_id} {self.kind}: {self.detail}"
        return f"seal #{self.seal_number} {self.kind}: {self.detail}"


@dataclass
class Verification:
    events_verified: int = 0
    seals_verified: int = 0
    unsealed_events: int = 0
    head_digest: str = GENESIS
    foreign_key: bool = False  # some seal was made under a key not configured now
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_event_problem(self) -> Problem | None:
        return next((p for p in self.problems if p.event_id is not None), None)

    @property
    def headline(self) -> Problem | None:
        """What to say first: the wrong key, if that is it; else the first broken event;
        else the first broken seal."""
        if self.foreign_key:
            return next(p for p in self.problems if p.kind == KEY_PROBLEM)
        return self.first_event_problem or (self.problems[0] if self.problems else None)


def _event_rows(queryset, chunk_size: int) -> Iterator[dict]:
    return queryset.order_by("id").values(*EVENT_FIELDS).iterator(chunk_size=chunk_size)


def verify_chain(*, chunk_size: int = 2000, progress=None) -> Verification:
    """Recompute every seal and every sealed event; see the module docstring."""
    from audit.models import AuditEvent, AuditSeal, AuditSealEntry

    result = Verification()
    key_id = seal_key_id()
    previous, expected_number, last_sealed = GENESIS, 1, 0
    for seal in AuditSeal.objects.order_by("number").iterator(chunk_size=chunk_size):
        if seal.number != expected_number:
            result.problems.append(
                Problem(
                    "missing",
                    f"seals #{expected_number}..#{seal.number - 1} are gone",
                    seal_number=expected_number,
                )
            )
        entries = list(seal.entries.order_by("event_id").values_list("event_id", "digest"))
        recomputed = seal_digest(
            number=seal.number,
            previous_digest=seal.previous_digest,
            first_event_id=seal.first_event_id,
            last_event_id=seal.last_event_id,
            event_count=seal.event_count,
            events_digest=seal.events_digest,
            sealed_at=seal.sealed_at,
        )
        if seal.key_id != key_id:
            result.foreign_key = True
            result.problems.append(
                Problem(
                    KEY_PROBLEM,
                    f"key id {seal.key_id}, the configured key is {key_id}",
                    seal_number=seal.number,
                )
            )
        elif recomputed != seal.digest:
            result.problems.append(
                Problem("altered", "its digest does not match its fields", seal_number=seal.number)
            )
        elif events_digest(entries) != seal.events_digest or len(entries) != seal.event_count:
            result.problems.append(
                Problem("altered", "its entries do not match its digest", seal_number=seal.number)
            )
        elif entries and (
            entries[0][0] != seal.first_event_id or entries[-1][0] != seal.last_event_id
        ):
            result.problems.append(
                Problem("altered", "its entries are outside its range", seal_number=seal.number)
            )
        if seal.previous_digest != previous and seal.number == expected_number:
            result.problems.append(
                Problem(
                    "altered",
                    "it does not follow the seal before it",
                    seal_number=seal.number,
                )
            )
        previous, expected_number = seal.digest, seal.number + 1
        last_sealed = max(last_sealed, seal.last_event_id)
        result.seals_verified += 1
        if progress:
            progress(result.seals_verified)
    result.head_digest = previous

    # Walk the events and the sealed entries together, both in id order.
    events = _event_rows(AuditEvent.objects.filter(id__lte=last_sealed), chunk_size)
    entries = (
        AuditSealEntry.objects.order_by("event_id")
        .values_list("event_id", "digest")
        .iterator(chunk_size=chunk_size)
    )
    event, entry = next(events, None), next(entries, None)
    while event is not None or entry is not None:
        if entry is None or (event is not None and event["id"] < entry[0]):
            result.problems.append(
                Problem(
                    "inserted",
                    "it is not in the seal that covers its id (inserted out of order)",
                    event_id=event["id"],
                )
            )
            event = next(events, None)
        elif event is None or entry[0] < event["id"]:
            result.problems.append(
                Problem("missing", "it was sealed and is gone (deleted)", event_id=entry[0])
            )
            entry = next(entries, None)
        else:
            if result.foreign_key:
                pass  # digests made under another key cannot be compared: reported above
            elif event_digest(event) != entry[1]:
                result.problems.append(
                    Problem(
                        "altered",
                        "its columns no longer match the digest sealed for it",
                        event_id=event["id"],
                    )
                )
            else:
                result.events_verified += 1
            event, entry = next(events, None), next(entries, None)
    result.unsealed_events = AuditEvent.objects.filter(id__gt=last_sealed).count()
    return result
