"""Our own double opt-in: a pending grant (ConsentConfirmation) and the signed,
single-use link mailed to the customer's address. Following the link grants the purpose
under the notice they saw, through `consent.services.set_consent`; nothing is granted
before. Surfaces that cannot mail the person themselves go through consent/confirmations.py."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_event
from consent.evidence import Confirmation
from consent.models import ConsentConfirmation, ConsentSource, ConsentState
from consent.selectors import current_notices
from consent.services import clean_consent_choices, set_consent


class InvalidConfirmation(Exception):
    """A double opt-in link that is forged, used, expired or outdated; `reason` says which
    (a code, never data)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


CONFIRMATION_SALT = "custodian.consent.confirmation"
EMAIL_LINK = "email_link"  # how our own double opt-in is confirmed


@transaction.atomic
def request_confirmation(
    *, customer, purpose: str, source: ConsentSource, actor: str, language: str | None = None
) -> str:
    """Start a double opt-in: record the pending grant and return the signed token for
    the link mailed to the customer. Nothing is granted until `confirm_consent`."""
    return confirmation_token(
        open_confirmation(
            customer_id=customer.pk,
            purpose=purpose,
            source=source,
            actor=actor,
            language=language,
        )
    )


def open_confirmation(
    *, customer_id, purpose: str, source: ConsentSource, actor: str, language: str | None = None
) -> ConsentConfirmation:
    """Record a pending double opt-in and its audit event (inside the caller's
    transaction); the link to it comes from `confirmation_token`. `language`: the
    language the customer reads the notice in (the active one when None); the grant is
    recorded in it when confirmed."""
    clean_consent_choices({purpose: True}, require_account=False)
    notice = current_notices()[purpose]
    confirmation = ConsentConfirmation.objects.create(
        customer_id=customer_id,
        purpose_id=purpose,
        notice=notice,
        notice_language=notice.language_shown(language),
        source=source,
        expires_at=timezone.now() + timedelta(hours=settings.CONSENT_CONFIRMATION_HOURS),
    )
    record_event(
        actor=actor,
        action=AuditAction.CONSENT_CONFIRMATION_SENT,
        object_type="consent.purpose",
        object_id=purpose,
        subject_id=customer_id,
        purpose=purpose,
        metadata={"source": source, "notice_version": notice.version},
    )
    return confirmation


def confirmation_token(confirmation: ConsentConfirmation) -> str:
    """The signed token of the link that confirms this pending double opt-in."""
    payload = {
        "r": str(confirmation.pk),
        "c": str(confirmation.customer_id),
        "p": confirmation.purpose_id,
        "v": confirmation.notice.version,
    }
    return signing.dumps(payload, salt=CONFIRMATION_SALT)


def read_confirmation(token: str) -> ConsentConfirmation:
    """The pending confirmation a token names, or InvalidConfirmation. Checks the
    signature, the binding (customer, purpose, notice version), single use and expiry."""
    try:
        payload = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=settings.CONSENT_CONFIRMATION_HOURS * 3600
        )
    except signing.SignatureExpired as error:
        raise InvalidConfirmation("expired") from error
    except signing.BadSignature as error:
        raise InvalidConfirmation("forged") from error
    confirmation = (
        ConsentConfirmation.objects.select_related("notice")
        .filter(pk=payload.get("r"), customer_id=payload.get("c"), purpose_id=payload.get("p"))
        .first()
    )
    if confirmation is None or confirmation.notice.version != payload.get("v"):
        raise InvalidConfirmation("forged")
    if confirmation.confirmed_at is not None:
        raise InvalidConfirmation("used")
    if confirmation.expires_at <= timezone.now():
        raise InvalidConfirmation("expired")
    if current_notices()[confirmation.purpose_id].pk != confirmation.notice_id:
        raise InvalidConfirmation("outdated")
    return confirmation


@transaction.atomic
def confirm_consent(*, token: str, actor: str) -> ConsentState:
    """Follow a double opt-in link: grant the purpose under the notice the customer saw,
    once. A forged, reused, expired or outdated link changes nothing."""
    confirmation = read_confirmation(token)
    locked = ConsentConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if locked.confirmed_at is not None:
        raise InvalidConfirmation("used")
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_at"])
    return set_consent(
        customer=locked.customer,
        purpose=locked.purpose_id,
        granted=True,
        source=locked.source,
        actor=actor,
        confirmation=Confirmation(locked.confirmed_at, EMAIL_LINK, vouched=False),
        language=locked.notice_language,
    )
