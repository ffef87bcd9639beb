"""Sign-in by email: a one-time code and a link carrying the same proof, mailed only to
a known, live customer's address; the caller's page reads the same either way.

Requests are limited per address and per client (keyed digests in SignInAttempt, so
neither is stored in clear), codes live VERIFICATION_CODE_MINUTES, are used once and
allow VERIFICATION_MAX_ATTEMPTS wrong guesses. Every success is an audit event.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.actors import CUSTOMER
from audit.models import AuditAction
from audit.services import record_event
from customers import verification
from customers.models import Customer
from customers.normalization import normalize_email
from customers.selectors import customer_by_email
from disposal.selectors import live_customer
from portal.models import AttemptScope, SignInAttempt, SignInCode
from vault.blind_index import blind_index

WINDOW = timedelta(hours=1)


class TooManyAttempts(Exception):
    pass


class InvalidCode(Exception):
    """`reason`: "wrong" (try again) or "expired" (ask for a new code)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Issued:
    """A code to mail: the customer, the code and the link secret, in memory only."""

    customer: Customer
    code_id: uuid.UUID
    code: str
    link_secret: str


def _digest(scope: AttemptScope, value: str) -> str:
    return blind_index(f"portal.sign_in.{scope}", value)


def _limits() -> dict[AttemptScope, int]:
    return {
        AttemptScope.ADDRESS: settings.PORTAL_SIGN_IN_PER_ADDRESS,
        AttemptScope.CLIENT: settings.PORTAL_SIGN_IN_PER_CLIENT,
    }


@transaction.atomic
def count_attempt(*, email: str, client: str) -> None:
    """Count a request for a code; TooManyAttempts once the address or the client has
    asked too often within the hour, known address or not."""
    now = timezone.now()
    SignInAttempt.objects.filter(created_at__lt=now - WINDOW).delete()
    digests = {
        AttemptScope.ADDRESS: _digest(AttemptScope.ADDRESS, normalize_email(email)),
        AttemptScope.CLIENT: _digest(AttemptScope.CLIENT, client),
    }
    for scope, limit in _limits().items():
        recent = SignInAttempt.objects.filter(scope=scope, digest=digests[scope])
        if recent.count() >= limit:
            raise TooManyAttempts(scope)
    SignInAttempt.objects.bulk_create(
        SignInAttempt(scope=scope, digest=digest) for scope, digest in digests.items()
    )


@transaction.atomic
def issue_code(*, email: str) -> Issued | None:
    """A fresh code for the address's customer, or None for an unknown or erased one.
    Earlier unused codes of the customer stop working."""
    found = customer_by_email(email)
    customer = live_customer(found.pk) if found else None
    if customer is None:
        return None
    now = timezone.now()
    # Codes are proof for minutes; a day later they are only clutter.
    SignInCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    SignInCode.objects.filter(customer=customer, used_at__isnull=True).update(used_at=now)
    row = SignInCode(
        customer=customer, expires_at=now + timedelta(minutes=settings.VERIFICATION_CODE_MINUTES)
    )
    code, secret = verification.new_code(), secrets.token_urlsafe(32)
    row.code_hash = verification.code_digest("sign-in", row.pk, code)
    row.link_hash = verification.code_digest("sign-in-link", row.pk, secret)
    row.save(force_insert=True)
    return Issued(customer, row.pk, code, secret)


def _usable(code_id) -> SignInCode:
    try:
        row = SignInCode.objects.filter(pk=uuid.UUID(str(code_id))).first()
    except ValueError:
        row = None
    if (
        row is None
        or row.used_at is not None
        or row.expires_at <= timezone.now()
        or row.attempts >= settings.VERIFICATION_MAX_ATTEMPTS
    ):
        raise InvalidCode("expired")
    return row


@transaction.atomic
def _sign_in(row: SignInCode, method: str) -> Customer:
    claimed = SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    customer = live_customer(row.customer_id)
    if not claimed or customer is None:
        raise InvalidCode("expired")
    record_event(
        actor=CUSTOMER,
        action=AuditAction.PORTAL_SIGNED_IN,
        object_type="customers.customer",
        object_id=customer.pk,
        subject_id=customer.pk,
        purpose="account",
        metadata={"method": method},
    )
    return customer


def verify_code(*, code_id, code: str) -> Customer:
    """The customer the code was mailed to; InvalidCode otherwise (a wrong guess counts)."""
    row = _usable(code_id)
    if not verification.code_matches(row.code_hash, "sign-in", row.pk, code):
        SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise InvalidCode("wrong")
    return _sign_in(row, "code")


def verify_link(*, code_id, secret: str) -> Customer:
    row = _usable(code_id)
    if not verification.code_matches(row.link_hash, "sign-in-link", row.pk, secret):
        SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise InvalidCode("expired")
    return _sign_in(row, "link")


@transaction.atomic
def record_sign_out(*, customer_id) -> None:
    record_event(
        actor=CUSTOMER,
        action=AuditAction.PORTAL_SIGNED_OUT,
        object_type="customers.customer",
        object_id=customer_id,
        subject_id=customer_id,
        purpose="account",
    )
