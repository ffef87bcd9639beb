"""Sign-in by email: a one-time code and a link carrying the same proof, mailed only to
a known, live customer's address. Whether the address is known shows nowhere: not in the
page, the status, the words of a wrong code, nor the time the request takes (every
request writes one challenge row and one outbox job; the mail job runs after the
response, and a mail outage leaves the job to retry).

Requests are limited per address and per client (keyed digests in SignInAttempt, so
neither is stored in clear), codes live VERIFICATION_CODE_MINUTES, are used once and
are checked at most VERIFICATION_MAX_ATTEMPTS times, counted atomically so that
concurrent guesses cannot exceed it. Every success is an audit event.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from audit.actors import CUSTOMER
from audit.models import AuditAction
from audit.services import record_event
from customers import verification
from customers.models import Customer
from customers.normalization import normalize_email
from customers.selectors import customer_by_email
from disposal.selectors import live_customer
from outbox.services import enqueue
from portal import mail
from portal.models import AttemptScope, SignInAttempt, SignInCode
from runtime.links import public_url
from vault.blind_index import blind_index

WINDOW = timedelta(hours=1)
MAIL_TASK = "portal.tasks.mail_sign_in_code"


class TooManyAttempts(Exception):
    pass


class InvalidCode(Exception):
    """`reason`: "wrong" (try again) or "expired" (ask for a new code)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
def request_code(*, email: str, language: str = "") -> uuid.UUID:
    """Record a request for a code and the job that mails it after the response; the id
    of the challenge the caller's session then holds.

    The same work for every address, known or not: one lookup, one row, one job. The
    job mails a live customer a fresh code and link and sends nothing to anyone else
    (mailing a stranger "you have no account" would let anyone send our mail to any
    address, and tell the mailbox's reader who asked). Earlier unused codes of the
    address stop working, whoever it belongs to."""
    now = timezone.now()
    # Codes are proof for minutes; a day later they are only clutter.
    SignInCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    digest = _digest(AttemptScope.ADDRESS, normalize_email(email))
    SignInCode.objects.filter(address_digest=digest, used_at__isnull=True).update(used_at=now)
    found = customer_by_email(email)
    row = SignInCode.objects.create(
        customer_id=found.pk if found else None,
        address_digest=digest,
        language=language[:16],
        expires_at=now + timedelta(minutes=settings.VERIFICATION_CODE_MINUTES),
    )
    enqueue(MAIL_TASK, str(row.pk), after_response=True)
    return row.pk


def mail_code(*, code_id) -> str:
    """The mail job: a fresh code and link for a live customer's pending row, sent
    within the row's lock, so a failed send keeps nothing and the retry sends a new one.
    "sent", "nothing" (no live customer: the row stays a challenge no code opens),
    "done" (mailed before) or "expired". Raises what the mail backend raised."""
    with transaction.atomic():
        row = SignInCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None or row.mailed_at is not None:
            return "done"
        now = timezone.now()
        if row.used_at is not None or row.expires_at <= now:
            return "expired"
        customer = live_customer(row.customer_id) if row.customer_id else None
        row.mailed_at = now
        if customer is None:
            row.save(update_fields=["mailed_at"])
            return "nothing"
        code, secret = verification.new_code(), secrets.token_urlsafe(32)
        row.code_hash = verification.code_digest("sign-in", row.pk, code)
        row.link_hash = verification.code_digest("sign-in-link", row.pk, secret)
        # The minutes the page promised count from the mail, not from the request.
        row.expires_at = max(
            row.expires_at, now + timedelta(minutes=settings.VERIFICATION_CODE_MINUTES)
        )
        row.save(update_fields=["mailed_at", "code_hash", "link_hash", "expires_at"])
        link = public_url(reverse("portal:sign_in_link", args=[row.pk, secret]))
        with translation.override(row.language or settings.LANGUAGE_CODE):
            context = {"code": code, "link": link, "minutes": settings.VERIFICATION_CODE_MINUTES}
            mail.send(to=customer.email, template="sign_in", context=context)
    return "sent"


def _check(code_id, kind: str, value: str) -> Customer:
    """Count the check before making it: an atomic conditional update lets through at
    most VERIFICATION_MAX_ATTEMPTS checks of a row, however many arrive at once."""
    now = timezone.now()
    try:
        pk = uuid.UUID(str(code_id))
    except ValueError:
        raise InvalidCode("expired") from None
    counted = SignInCode.objects.filter(
        pk=pk,
        used_at__isnull=True,
        expires_at__gt=now,
        attempts__lt=settings.VERIFICATION_MAX_ATTEMPTS,
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise InvalidCode("expired")
    row = SignInCode.objects.get(pk=pk)
    stored = row.code_hash if kind == "sign-in" else row.link_hash
    if not stored or not verification.code_matches(stored, kind, row.pk, value):
        raise InvalidCode("wrong")
    return _sign_in(row, "code" if kind == "sign-in" else "link")


@transaction.atomic
def _sign_in(row: SignInCode, method: str) -> Customer:
    claimed = SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    customer = live_customer(row.customer_id) if row.customer_id else None
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
    """The customer the code was mailed to; InvalidCode otherwise ("wrong" while checks
    are left, then "expired"; the same for a row no code was mailed for)."""
    return _check(code_id, "sign-in", code)


def verify_link(*, code_id, secret: str) -> Customer:
    try:
        return _check(code_id, "sign-in-link", secret)
    except InvalidCode:
        raise InvalidCode("expired") from None


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
