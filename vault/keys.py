"""Data-key lifecycle: create, load (cached for one request or task), destroy, rotate.

Unwrapped keys live only inside a `key_scope()` (the middleware opens one per request,
tasks and commands open their own); outside a scope every use loads the key afresh.
"""

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from vault import ciphers
from vault.exceptions import (
    KeyDestroyed,
    KeyMissing,
    MasterKeyInUse,
    MasterKeyUnavailable,
    MasterKeyUnknown,
)
from vault.keyring import master_keys
from vault.models import DataKey
from vault.routers import KEYS_DB

# The subject under which the vault keeps the system's own secrets (a processor's webhook
# secret): not a customer, never erased, one mechanism for everything encrypted.
SYSTEM_SUBJECT = uuid.UUID(int=0)

_scope: ContextVar[dict | None] = ContextVar("vault_key_scope", default=None)
# The current scope's AEADs by subject id (None outside a scope), read directly by
# vault.fields on its hot path: one lookup per opened value, no call. Read-only there.
scope_keys = _scope


@contextmanager
def key_scope() -> Iterator[None]:
    """Keep unwrapped keys in memory until the block ends, then forget them."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


_WRAP_AD = b"custodian/dek/"


def _wrap_ad(subject_id: uuid.UUID) -> bytes:
    return _WRAP_AD + subject_id.bytes


@sensitive_variables()
def wrap(subject_id: uuid.UUID, key: bytes) -> tuple[str, bytes]:
    key_id, master = master_keys()[0]
    return key_id, ciphers.seal(master, key, _wrap_ad(subject_id))


@sensitive_variables()
def _unwrap(row) -> bytes:
    """The data key of a DataKey row (or a row of its subject_id, wrapped_key and
    master_key_id)."""
    candidates = sorted(master_keys(), key=lambda pair: pair[0] != row.master_key_id)
    for _key_id, master in candidates:
        try:
            return ciphers.open_sealed(master, bytes(row.wrapped_key), _wrap_ad(row.subject_id))
        except ciphers.AuthenticationFailed:
            continue
    raise MasterKeyUnavailable(row.subject_id)


@sensitive_variables()
def new_data_key(subject_id: uuid.UUID) -> DataKey:
    """An unsaved DataKey row with a fresh random key (for bulk_create in bulk paths)."""
    key = ciphers.new_key()
    key_id, wrapped = wrap(subject_id, key)
    cache = _scope.get()
    if cache is not None:
        cache[subject_id] = AESGCM(key)
    return DataKey(subject_id=subject_id, wrapped_key=wrapped, master_key_id=key_id)


def create_data_key(*, subject_id: uuid.UUID) -> None:
    new_data_key(subject_id).save(using=KEYS_DB, force_insert=True)


@sensitive_variables()
def ensure_data_key(*, subject_id: uuid.UUID) -> None:
    """Create the subject's data key unless it has one (live or destroyed)."""
    if DataKey.objects.filter(subject_id=subject_id).exists():
        return
    key_id, wrapped = wrap(subject_id, ciphers.new_key())
    DataKey.objects.get_or_create(
        subject_id=subject_id, defaults={"wrapped_key": wrapped, "master_key_id": key_id}
    )


@sensitive_variables()
def _cipher_from_row(row: DataKey) -> AESGCM:
    if row.is_destroyed:
        raise KeyDestroyed(row.subject_id)
    return AESGCM(_unwrap(row))


@sensitive_variables()
def data_cipher(subject_id: uuid.UUID) -> AESGCM:
    """The AEAD for a subject's data key; raises KeyDestroyed after erasure."""
    cache = _scope.get()
    if cache is not None and subject_id in cache:
        return cache[subject_id]
    row = DataKey.objects.filter(subject_id=subject_id).first()
    if row is None and subject_id == SYSTEM_SUBJECT:
        # The system's own key is made on first use (a fresh install needs no hand
        # step); a customer's is never made here: a missing one is an error.
        ensure_data_key(subject_id=SYSTEM_SUBJECT)
        row = DataKey.objects.filter(subject_id=subject_id).first()
    if row is None:
        raise KeyMissing(subject_id)
    cipher = _cipher_from_row(row)
    if cache is not None:
        cache[subject_id] = cipher
    return cipher


@sensitive_variables()
def preload(subject_ids: Iterable[uuid.UUID]) -> None:
    """Load many subjects' keys in one query into the current scope (list pages)."""
    cache = _scope.get()
    if cache is None:
        return
    # By the ids' integers (hashed in C; a UUID's hash and equality are Python code).
    wanted = {}
    for subject_id in subject_ids:
        if subject_id not in cache:
            if not isinstance(subject_id, uuid.UUID):
                subject_id = uuid.UUID(str(subject_id))
            wanted[subject_id.int] = subject_id
    if not wanted:
        return
    # Plain tuples, not model instances: building a thousand DataKey objects per page
    # was a sixth of reading a list, as profiled. Only live keys are selected.
    rows = DataKey.objects.filter(subject_id__any_of=wanted.values(), destroyed_at__isnull=True)
    # Kept under the caller's id objects, not the query's equal copies: the fields of
    # those rows then find their key by identity (UUID's __eq__ is Python, and was a
    # tenth of opening a value, as profiled), and the copies are not kept.
    for subject_id, cipher in _unwrap_many(
        rows.values_list("subject_id", "wrapped_key", "master_key_id")
    ):
        cache[wanted[subject_id.int]] = cipher


class _KeyRow(NamedTuple):
    subject_id: uuid.UUID
    wrapped_key: bytes
    master_key_id: str


@sensitive_variables()
def _unwrap_many(rows) -> list[tuple[uuid.UUID, AESGCM]]:
    """Unwrap many data keys from (subject id, wrapped key, master key id) rows: one AEAD
    per master key for the whole batch, not one per row, and no call per row beyond the
    unwrap itself (`ciphers.open_with`: this frame is the guarded one); `_unwrap`, which
    tries every master key, for a row its named key cannot open."""
    masters = {key_id: AESGCM(master) for key_id, master in master_keys()}
    open_with, failed = ciphers.open_with, ciphers.AuthenticationFailed
    unwrapped = []
    for subject_id, wrapped, master_key_id in rows:
        master = masters.get(master_key_id)
        key = None
        if master is not None:
            try:
                key = open_with(master, bytes(wrapped), _WRAP_AD + subject_id.bytes)
            except failed:
                key = None
        if key is None:
            key = _unwrap(_KeyRow(subject_id, wrapped, master_key_id))
        unwrapped.append((subject_id, AESGCM(key)))
    return unwrapped


def is_destroyed(subject_id: uuid.UUID) -> bool:
    return DataKey.objects.filter(subject_id=subject_id, destroyed_at__isnull=False).exists()


def destroyed_among(subject_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the subjects whose data key is destroyed (at most one query). Keys in
    the current scope were loaded live and destroy_key drops them from it, so only the
    others are looked up."""
    wanted = set(subject_ids) - set(_scope.get() or ())
    if not wanted:
        return set()
    return set(
        DataKey.objects.filter(subject_id__any_of=wanted, destroyed_at__isnull=False).values_list(
            "subject_id", flat=True
        )
    )


def destroy_key(*, subject_id: uuid.UUID) -> bool:
    """Crypto-shred: forget the subject's data key. Idempotent; True if it was live."""
    return bool(destroy_keys(subject_ids=[subject_id]))


def destroy_keys(*, subject_ids: Iterable[uuid.UUID]) -> int:
    """Crypto-shred many subjects in two statements (a batch of erasures). Idempotent;
    returns how many keys were live. A subject that never had a key (or whose key the
    restored key store lacks) gets a destroyed row, so later reads still say "erased"."""
    subject_ids = list(dict.fromkeys(uuid.UUID(str(subject_id)) for subject_id in subject_ids))
    cache = _scope.get()
    if cache is not None:
        for subject_id in subject_ids:
            cache.pop(subject_id, None)
    now = timezone.now()
    updated = DataKey.objects.filter(subject_id__in=subject_ids, destroyed_at__isnull=True).update(
        wrapped_key=None, destroyed_at=now
    )
    known = set(
        DataKey.objects.filter(subject_id__in=subject_ids).values_list("subject_id", flat=True)
    )
    DataKey.objects.bulk_create(
        [
            DataKey(subject_id=subject_id, destroyed_at=now)
            for subject_id in subject_ids
            if subject_id not in known
        ]
    )
    return updated


@sensitive_variables()
def rotate_master_key(*, batch_size: int = 1000, progress=None) -> int:
    """Re-wrap every live data key under the first master key; returns how many."""
    current_id, _ = master_keys()[0]
    stale = DataKey.objects.filter(destroyed_at__isnull=True).exclude(master_key_id=current_id)
    total = stale.count()
    done = 0
    while True:
        with transaction.atomic(using=KEYS_DB):
            rows = list(stale.select_for_update().order_by("subject_id")[:batch_size])
            if not rows:
                break
            now = timezone.now()
            for row in rows:
                row.master_key_id, row.wrapped_key = wrap(row.subject_id, _unwrap(row))
                row.rotated_at = now
            DataKey.objects.bulk_update(rows, ["master_key_id", "wrapped_key", "rotated_at"])
        done += len(rows)
        if progress:
            progress(done, total)
    return done


@dataclass(frozen=True)
class Retirement:
    """A master key dropped for good: key-store backups taken before `backups_before`
    hold data keys wrapped by it (or by keys retired before it) and can no longer be
    opened. `marked` collects what the retirement handlers report (e.g. carrier ids)."""

    key_id: str
    retired_at: datetime
    backups_before: date
    marked: list = field(default_factory=list)


_retirement_handlers: list[Callable[[Retirement, str], list]] = []


def register_retirement_handler(handler: Callable[[Retirement, str], list]) -> None:
    """handler(retirement, actor) -> what it marked. Apps above the vault (disposal's
    carrier register) learn of a retirement without the vault importing them."""
    if handler not in _retirement_handlers:
        _retirement_handlers.append(handler)


def retire_master_key(*, key_id: str, actor: str) -> Retirement:
    """Record that a master key is dropped: refused unless it is listed in
    VAULT_MASTER_KEYS, and while it is the key that wraps or a live data key is still
    wrapped by it (run rotate_master_key first). The
    cut-off for backups is the last re-wrap, when the last data key left older keys."""
    configured = [configured_id for configured_id, _key in master_keys()]
    current_id = configured[0]
    if key_id not in configured:
        # Retire a key while it is still listed, then remove it: a mistyped id must not
        # mark backups unreadable.
        raise MasterKeyUnknown(
            f"No master key {key_id} in VAULT_MASTER_KEYS; retire a key while it is still "
            "listed there, then remove it."
        )
    if key_id == current_id:
        raise MasterKeyInUse(
            f"Master key {key_id} is the one that wraps new data keys; put a new key first "
            "in VAULT_MASTER_KEYS and run rotate_master_key before retiring it."
        )
    if DataKey.objects.filter(destroyed_at__isnull=True, master_key_id=key_id).exists():
        raise MasterKeyInUse(
            f"Live data keys are still wrapped by master key {key_id}; run rotate_master_key first."
        )
    now = timezone.now()
    last_rewrap = DataKey.objects.aggregate(last=Max("rotated_at"))["last"] or now
    retirement = Retirement(key_id, now, timezone.localtime(last_rewrap).date())
    for handler in _retirement_handlers:
        retirement.marked.extend(handler(retirement, actor))
    return retirement
