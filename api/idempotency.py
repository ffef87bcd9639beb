"""Idempotent retries (v1.1): a POST sent with `Idempotency-Key: <token>` that repeats
an earlier request of the same API key and token within IDEMPOTENCY_HOURS gets the first
answer again: status, body and the headers that matter (Location, Link, Deprecation),
with `Idempotent-Replayed: true`.

- The same token with a different request (method, path or body) is 422; a repeat
  while the first is still running is 409 (retry later).
- Answers are stored after the view ran (api.models.IdempotentReply). 5xx answers are
  not stored (the retry runs again); 4xx answers are (the same bad request is refused
  the same way). Refusals that happen before the view (401, 403, 429) are never stored.
- No personal data in clear: an answer about a customer is sealed under that customer's
  data key (crypto-shredded by erasure, and the registry deletes the row). Views name
  the customer with `concerns(response, customer_id)`; by default the customer of the
  path (`customer_id` kwarg) is used; `in_clear(response)` marks an answer that holds
  ids and statuses only (an erasure request), so that it outlives the customer.
- `purge_idempotent_replies` (Celery beat, hourly) deletes answers older than the window.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.lookup import customer_id_for_path
from api.models import IdempotentReply, StorefrontKey
from vault.exceptions import VaultError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_TOKEN_LENGTH = 255
REPLAYED_HEADERS = ("Location", "Link", "Deprecation")
# A reply still marked as running after this long belongs to a request that died.
STALE_RUNNING = timedelta(minutes=5)
_SUBJECT = "_idempotency_subject"
_CLEAR = object()


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
    reply: IdempotentReply
    path_subject: object


def concerns(response: Response, customer_id) -> Response:
    """Mark the answer as personal data of this customer (sealed under their key)."""
    setattr(response, _SUBJECT, customer_id)
    return response


def in_clear(response: Response) -> Response:
    """Mark the answer as holding no personal data (ids and statuses only)."""
    setattr(response, _SUBJECT, _CLEAR)
    return response


def window() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_HOURS)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _fingerprint(request) -> str:
    body = json.dumps(request.data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return _digest(f"{request.method}\n{request.path_info}\n{body}")


def _replay(reply: IdempotentReply) -> Response:
    body = json.loads(reply.sealed_body if reply.subject_id else reply.body)
    response = Response(body, status=reply.status_code)
    for name, value in reply.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def begin(request, view_kwargs: dict) -> Pending | None:
    """Called after authentication: replay, refuse, or record that this key and token
    are running. None when the request carries no Idempotency-Key."""
    token = request.headers.get(HEADER)
    if token is None or not isinstance(request.auth, StorefrontKey):
        return None
    if not 1 <= len(token) <= MAX_TOKEN_LENGTH or not token.isprintable():
        raise ValidationError(
            {HEADER: [f"Send 1 to {MAX_TOKEN_LENGTH} printable characters, e.g. a UUID."]}
        )
    now = timezone.now()
    digest, fingerprint = _digest(token), _fingerprint(request)
    mine = IdempotentReply.objects.filter(api_key=request.auth, token_digest=digest)
    with transaction.atomic():
        mine.filter(created_at__lt=now - window()).delete()
        mine.filter(status_code__isnull=True, created_at__lt=now - STALE_RUNNING).delete()
        try:
            with transaction.atomic():
                reply = IdempotentReply.objects.create(
                    api_key=request.auth, token_digest=digest, fingerprint=fingerprint
                )
        except IntegrityError:
            reply = mine.select_for_update().first()
            if reply is None:  # the first attempt failed and was forgotten just now
                raise StillRunning() from None
            if reply.fingerprint != fingerprint:
                raise KeyReused() from None
            if reply.status_code is None:
                raise StillRunning() from None
            raise Replay(_replay(reply)) from None
    return Pending(reply=reply, path_subject=view_kwargs.get("customer_id"))


def finish(pending: Pending, response: Response) -> None:
    """Store the view's answer (or forget the attempt, for a 5xx)."""
    reply = pending.reply
    if response.status_code >= 500 or response.status_code in (401, 403, 429):
        IdempotentReply.objects.filter(pk=reply.pk).delete()
        return
    subject = getattr(response, _SUBJECT, None)
    if subject is None and pending.path_subject is not None and response.status_code < 400:
        subject = customer_id_for_path(pending.path_subject)
        if subject is None:
            # The path's customer cannot be named any more: never store their data in
            # clear; the retry runs again instead.
            abandon(pending)
            return
    body = json.dumps(response.data, cls=JSONEncoder)
    reply.status_code = response.status_code
    reply.headers = {name: response[name] for name in REPLAYED_HEADERS if name in response}
    if subject is None or subject is _CLEAR:
        reply.body = body
        reply.save()
        return
    reply.subject_id = subject
    try:
        reply.sealed_body = body
        reply.save()
    except VaultError:
        # The customer's key is gone already (erased within this request): nothing kept.
        abandon(pending)


def abandon(pending: Pending) -> None:
    """The view raised: forget the attempt, so that the retry runs."""
    IdempotentReply.objects.filter(pk=pending.reply.pk).delete()


def purge(now=None) -> int:
    """Delete answers older than the window; returns how many went."""
    cutoff = (now or timezone.now()) - window()
    deleted, _ = IdempotentReply.objects.filter(created_at__lt=cutoff).delete()
    return deleted
