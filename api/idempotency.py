"""Idempotent retries (v1.1), exactly once across failures (v1.3): a POST sent with
`Idempotency-Key: <token>` that repeats an earlier request of the same API key and token
within IDEMPOTENCY_HOURS gets the first answer again: status, body and the headers that
matter (Location, Link, Deprecation), with `Idempotent-Replayed: true`.

- The answer is stored in the same database transaction as the effect it answers for
  (`ApiView.dispatch` runs the whole request in one `transaction.atomic()`): a failure
  anywhere (a dropped connection, a crash, a 5xx) leaves neither, so the retry runs for
  the first time; a commit leaves both, so the retry gets the answer.
- While a request runs it holds a transaction-scoped advisory lock on its key and token
  (PostgreSQL); a repeat meanwhile is 409 (retry later). The lock goes with the
  transaction, so a request that died frees its key as soon as the database notices
  (at once for a dropped connection); no placeholder row is ever left behind.
- The same token with a different request (method, path or body) is 422.
- 5xx answers are not stored and roll back what the view wrote; 4xx answers are stored
  (the same bad request is refused the same way). Refusals that happen before the view
  (401, 403, 429) are never stored.
- No personal data in clear: an answer about a customer is sealed under that customer's
  data key. Every answer that names customers (`concerns`, `names`, or by default the
  customer of the path) is linked to each of them (`ReplySubject`); their erasure turns
  the answer into a tombstone (`forget_subjects`, an erasure forget handler): body,
  headers, fingerprint and links go, and a replay of the key answers 410 and does
  nothing. `in_clear(response)` marks an answer that holds ids and statuses only (an
  erasure request), so that it outlives the customer.
- `purge_idempotent_replies` (Celery beat, hourly) deletes answers older than the window.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.lookup import customer_id_for_path
from api.models import IdempotentReply, ReplySubject, StorefrontKey
from customers.selectors import live_customer_ids
from vault.exceptions import VaultError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_TOKEN_LENGTH = 255
REPLAYED_HEADERS = ("Location", "Link", "Deprecation")
GONE = "The customer this request concerned has been erased; nothing was done."
_SUBJECTS = "_idempotency_subjects"
_SEALED = "_idempotency_sealed"
_CLEAR = ()


class Replay(Exception):
    """Raised from a view's `initial` to answer with the stored response."""

    def __init__(self, response: Response):
        self.response = response


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used for a different request (method, path or body)."
    default_code = "idempotency_key_reused"


class StillRunning(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still running; retry later."
    default_code = "idempotency_key_running"


@dataclass
class Pending:
    api_key: StorefrontKey
    digest: str
    fingerprint: str
    path_subject: object


def concerns(response: Response, customer_id) -> Response:
    """Mark the answer as personal data of this customer: sealed under their key and
    linked to them (erased with them)."""
    setattr(response, _SUBJECTS, (customer_id,))
    setattr(response, _SEALED, customer_id)
    return response


def sealed_for(response: Response, subject_id) -> Response:
    """Mark an answer that holds the personal data of a vault subject who is not a
    customer (a lead): sealed under that subject's key and linked to no customer. The
    subject's own erasure destroys the key, so a replay then answers 410."""
    setattr(response, _SUBJECTS, _CLEAR)
    setattr(response, _SEALED, subject_id)
    return response


def names(response: Response, customer_ids: Iterable) -> Response:
    """Mark an answer that holds ids and statuses only, naming these customers: stored
    in clear, linked to each of them (erased with any of them)."""
    setattr(response, _SUBJECTS, tuple(dict.fromkeys(customer_ids)))
    return response


def in_clear(response: Response) -> Response:
    """Mark the answer as naming no customer (ids of other things and statuses only)."""
    setattr(response, _SUBJECTS, _CLEAR)
    return response


def window() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_HOURS)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _fingerprint(request) -> str:
    body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return _digest(f"{request.method}\n{request.path_info}\n{body}")


def lock_id(api_key_id: str, digest: str) -> int:
    """The advisory lock a running request holds (a signed 64-bit number)."""
    raw = hashlib.sha256(f"idempotency\n{api_key_id}\n{digest}".encode()).digest()
    return int.from_bytes(raw[:8], "big", signed=True)


def _claim(api_key_id: str, digest: str) -> bool:
    """Take this key and token for the current transaction; False when another running
    request holds them. SQLite serialises writers itself and has no advisory locks.

    The transaction is also ended by PostgreSQL if it sits idle for
    IDEMPOTENCY_IDLE_SECONDS (a server that vanished without closing its connection), so
    the key is freed within seconds even then."""
    if connection.vendor != "postgresql":
        return True
    idle = f"{settings.IDEMPOTENCY_IDLE_SECONDS}s"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', %s, true), "
            "pg_try_advisory_xact_lock(%s)",
            [idle, lock_id(api_key_id, digest)],
        )
        return cursor.fetchone()[1]


def gone() -> Response:
    response = Response({"detail": GONE}, status=status.HTTP_410_GONE)
    response[REPLAYED_HEADER] = "true"
    return response


def _replay(reply: IdempotentReply) -> Response:
    if reply.erased_at is not None:
        return gone()
    linked = set(reply.subjects.values_list("customer_id", flat=True))
    if linked - live_customer_ids(linked):
        return gone()  # being erased: from its first step the customer is gone
    try:
        body = json.loads(reply.sealed_body if reply.subject_id else reply.body)
    except VaultError:
        return gone()  # the subject's key is destroyed: erased
    response = Response(body, status=reply.status_code)
    for name, value in reply.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def begin(request, view_kwargs: dict) -> Pending | None:
    """Called after authentication, inside the request's transaction: replay, refuse,
    or take the key and token for this request. None when the request carries no
    Idempotency-Key."""
    token = request.headers.get(HEADER)
    if token is None or not isinstance(request.auth, StorefrontKey):
        return None
    if not 1 <= len(token) <= MAX_TOKEN_LENGTH or not token.isprintable():
        raise ValidationError(
            {HEADER: [f"Send 1 to {MAX_TOKEN_LENGTH} printable characters, e.g. a UUID."]}
        )
    digest, fingerprint = _digest(token), _fingerprint(request)
    if not _claim(request.auth.pk, digest):
        raise StillRunning()
    mine = IdempotentReply.objects.filter(api_key=request.auth, token_digest=digest)
    mine.filter(created_at__lt=timezone.now() - window()).delete()
    reply = mine.first()
    if reply is not None:
        if reply.erased_at is None and reply.fingerprint != fingerprint:
            raise KeyReused()
        raise Replay(_replay(reply))
    return Pending(
        api_key=request.auth,
        digest=digest,
        fingerprint=fingerprint,
        path_subject=view_kwargs.get("customer_id"),
    )


def _subjects(pending: Pending, response: Response) -> tuple | None:
    """The customers the answer names; None when the path's customer cannot be named."""
    subjects = getattr(response, _SUBJECTS, None)
    if subjects is not None:
        return subjects
    if pending.path_subject is None or response.status_code >= 400:
        return _CLEAR
    subject = customer_id_for_path(pending.path_subject)
    return None if subject is None else (subject,)


def finish(pending: Pending, response: Response) -> None:
    """Store the view's answer in the request's transaction; for a 5xx, roll back."""
    if response.status_code >= 500 or response.status_code in (401, 403, 429):
        transaction.set_rollback(True)  # neither the effect nor an answer
        return
    subjects = _subjects(pending, response)
    sealed_for = getattr(response, _SEALED, None)
    if not hasattr(response, _SUBJECTS) and subjects:
        sealed_for = subjects[0]  # the path's customer: their data, under their key
    reply = IdempotentReply(
        api_key=pending.api_key,
        token_digest=pending.digest,
        fingerprint=pending.fingerprint,
        status_code=response.status_code,
        headers={name: response[name] for name in REPLAYED_HEADERS if name in response},
    )
    body = json.dumps(response.data, cls=JSONEncoder)
    if subjects is None:
        # The path's customer cannot be named any more (erased meanwhile): their data is
        # never stored in clear; the key answers as for an erased customer.
        _tombstone(reply)
        return
    try:
        if sealed_for is None:
            reply.body = body
        else:
            reply.subject_id = sealed_for
            reply.sealed_body = body
        reply.save()
    except VaultError:
        # The customer's key is gone already (erased within this request).
        _tombstone(IdempotentReply(api_key=reply.api_key, token_digest=reply.token_digest))
        return
    ReplySubject.objects.bulk_create(
        ReplySubject(reply=reply, customer_id=customer_id) for customer_id in subjects
    )


def _tombstone(reply: IdempotentReply) -> None:
    reply.status_code = status.HTTP_410_GONE
    reply.fingerprint, reply.headers, reply.body = "", {}, None
    reply.subject_id, reply.sealed_body = None, None
    reply.erased_at = timezone.now()
    reply.save()


def forget_subjects(subject_ids: list) -> int:
    """Erasure forget handler: every stored answer naming one of these customers becomes
    a tombstone (no body, headers, fingerprint or link; a replay answers 410).
    Idempotent. Returns how many answers it changed."""
    naming = IdempotentReply.objects.filter(
        Q(subject_id__in=subject_ids) | Q(subjects__customer_id__in=subject_ids)
    ).values_list("pk", flat=True)
    with transaction.atomic():
        ids = list(naming.distinct())
        ReplySubject.objects.filter(reply_id__in=ids).delete()
        changed = IdempotentReply.objects.filter(pk__in=ids).update(
            status_code=status.HTTP_410_GONE,
            fingerprint="",
            headers={},
            body=None,
            subject_id=None,
            sealed_body=None,
            erased_at=timezone.now(),
        )
    return changed


def purge(now=None) -> int:
    """Delete answers (and tombstones) older than the window; returns how many went."""
    cutoff = (now or timezone.now()) - window()
    _, deleted = IdempotentReply.objects.filter(created_at__lt=cutoff).delete()
    return deleted.get(IdempotentReply._meta.label, 0)
