"""Consent writes: every grant or withdrawal appends to the ledger, updates the current
state and writes an audit event, in one transaction.

Double opt-in (CONSENT_DOUBLE_OPT_IN): the ledger takes a grant of such a purpose only
with its confirmation (our mailed link, or a source's own confirmed opt-in it vouches
for, `evidence.Confirmation`), or as a repeat of a grant in force. Without one, a
surface opens a pending confirmation instead (consent/opt_in.py, which mails our link,
or consent/confirmations.py through the outbox). Withdrawals take effect at once."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import record_event, record_events
from changes.models import ChangeKind
from changes.services import record_change
from consent.evidence import Confirmation
from consent.models import ConsentEvent, ConsentSource, ConsentState
from consent.selectors import current_notices, has_consent
from customers.selectors import live_customer_ids

ACCOUNT = "account"
PERSONALIZATION = "personalization"
SENSITIVE_PERSONALIZATION = "sensitive_personalization"  # Art. 9 opt-in, see recommendations

# A purpose that only works on top of another: it cannot be granted while that one is
# not (withdrawing the other leaves it recorded, but not in use).
REQUIRES = {SENSITIVE_PERSONALIZATION: PERSONALIZATION}


def needs_confirmation(purpose: str) -> bool:
    """Purposes granted only through a link sent to the customer's address."""
    return purpose in settings.CONSENT_DOUBLE_OPT_IN


def required_purpose(purpose: str) -> str | None:
    """The purpose `purpose` needs granted first, if any."""
    return REQUIRES.get(purpose)


# Called on commit as handler(customer_id=..., actor=...) when a purpose is withdrawn.
# Higher apps register here (disposal: `account` starts an erasure; recommendations:
# `personalization` forgets the customer), so consent never imports upward.
_withdrawal_handlers: dict[str, list[Callable]] = {}


def register_withdrawal_handler(purpose: str, handler: Callable) -> None:
    handlers = _withdrawal_handlers.setdefault(purpose, [])
    if handler not in handlers:
        handlers.append(handler)


def clean_consent_choices(consents, *, require_account: bool = True) -> dict[str, bool]:
    """Validate {"purpose": bool} against the known purposes, or raise ValidationError
    under the `consents` key."""
    if not isinstance(consents, dict):
        raise ValidationError({"consents": ['Expected an object like {"account": true}.']})
    notices = current_notices()
    errors = [
        f"Unknown purpose: {code}." for code in sorted(map(str, consents)) if code not in notices
    ]
    errors += [
        f"The choice for {code} must be true or false."
        for code, granted in consents.items()
        if code in notices and not isinstance(granted, bool)
    ]
    if require_account and consents.get(ACCOUNT) is not True:
        errors.append("A customer cannot be stored without account consent.")
    errors += [
        f"{code} needs {needed}: it cannot be granted while {needed} is withdrawn."
        for code, needed in REQUIRES.items()
        if consents.get(code) is True and consents.get(needed) is False
    ]
    if errors:
        raise ValidationError({"consents": errors})
    return dict(consents)


def split_unconfirmed(
    choices: dict[str, bool], confirmation: Confirmation | None
) -> tuple[dict[str, bool], list[str]]:
    """(the choices the ledger may take now, the double opt-in grants that must wait for
    the person's confirmation). With a confirmation, nothing waits."""
    if confirmation is not None:
        return dict(choices), []
    pending = [code for code, granted in choices.items() if granted and needs_confirmation(code)]
    return {code: g for code, g in choices.items() if code not in pending}, pending


class UnconfirmedGrant(ValidationError):
    """A double opt-in purpose granted without its confirmation: a surface's bug, never
    stored (a 400 naming the purpose if it ever reaches a surface)."""


def _refuse_unconfirmed(purposes: list[str]) -> None:
    if purposes:
        raise UnconfirmedGrant(
            {
                "consents": [
                    f"{code} is granted only once the customer confirms it." for code in purposes
                ]
            }
        )


def confirmation_fields(granted: bool, confirmation: Confirmation | None) -> dict:
    """A ledger event's confirmation columns for a grant made with this confirmation."""
    if not (granted and confirmation is not None):
        return {}
    return {
        "confirmed_at": confirmation.confirmed_at,
        "confirmation_method": confirmation.method[:50],
        "vouched": confirmation.vouched,
    }


def record_consents(
    *,
    customer,
    choices: dict[str, bool],
    source: ConsentSource,
    actor: str,
    confirmation: Confirmation | None = None,
    channel: str = "",
    notice_delivery: str = "",
    language: str | None = None,
) -> None:
    """Append one ledger event per choice and bring the current state in line. A double
    opt-in grant needs its confirmation, unless it repeats a grant in force. `channel` and
    `notice_delivery`: where staff heard the choice and how the notice reached the
    customer (codes, recorded on the event and its audit row). `language`: the language
    the customer read the notice in (a language code; the active language when None);
    each event records the language its notice was shown in (English when the notice has
    no text in that one)."""
    _, unconfirmed = split_unconfirmed(choices, confirmation)
    if unconfirmed:
        in_force = set(
            ConsentState.objects.filter(
                customer_id=customer.pk, purpose_id__in=unconfirmed, granted=True
            ).values_list("purpose_id", flat=True)
        )
        _refuse_unconfirmed([code for code in unconfirmed if code not in in_force])
    notices = current_notices()
    now = timezone.now()
    events = ConsentEvent.objects.bulk_create(
        ConsentEvent(
            customer=customer,
            purpose_id=code,
            notice=notices[code],
            granted=granted,
            source=source,
            actor=actor,
            **confirmation_fields(granted, confirmation),
            channel=channel,
            notice_delivery=notice_delivery if granted else "",
            notice_language=notices[code].language_shown(language),
        )
        for code, granted in choices.items()
    )
    for event in events:
        ConsentState.objects.update_or_create(
            customer=customer,
            purpose_id=event.purpose_id,
            defaults={
                "granted": event.granted,
                "notice": event.notice,
                "event": event,
                "updated_at": event.occurred_at or now,
            },
        )
        record_event(
            actor=actor,
            action=AuditAction.CONSENT_GRANTED if event.granted else AuditAction.CONSENT_WITHDRAWN,
            object_type="consent.purpose",
            object_id=event.purpose_id,
            subject_id=customer.pk,
            purpose=event.purpose_id,
            metadata=_metadata(event, channel),
        )


def _metadata(event: ConsentEvent, channel: str = "") -> dict:
    metadata = {
        "source": event.source,
        "notice_version": event.notice.version,
        "notice_language": event.notice_language,
    }
    if event.confirmed_at is not None:
        # That it was confirmed and who vouched; the method (free to the source) stays in
        # the ledger, never in the audit trail.
        metadata |= {"confirmed": True, "vouched": event.vouched}
    if channel:
        metadata["channel"] = channel
    if event.notice_delivery:
        metadata["notice_delivery"] = event.notice_delivery
    return metadata


def record_first_consents(ledger: Sequence[ConsentEvent], *, actor: str) -> None:
    """The first choices of many new customers at once (bulk onboarding): the unsaved
    ledger events given, their current state and their audit events, as record_consents
    writes them for one customer. Inside the caller's transaction. A double opt-in grant
    needs its confirmation (split the choices first: `split_unconfirmed`)."""
    _refuse_unconfirmed(
        [
            event.purpose_id
            for event in ledger
            if event.granted and event.confirmed_at is None and needs_confirmation(event.purpose_id)
        ]
    )
    now = timezone.now()
    events = ConsentEvent.objects.bulk_create(ledger)
    ConsentState.objects.bulk_create(
        ConsentState(
            customer_id=event.customer_id,
            purpose_id=event.purpose_id,
            granted=event.granted,
            notice=event.notice,
            event=event,
            updated_at=event.occurred_at or now,
        )
        for event in events
    )
    record_events(
        [
            AuditEvent(
                actor=actor,
                action=AuditAction.CONSENT_GRANTED
                if event.granted
                else AuditAction.CONSENT_WITHDRAWN,
                object_type="consent.purpose",
                object_id=event.purpose_id,
                subject_id=event.customer_id,
                purpose=event.purpose_id,
                metadata=_metadata(event),
            )
            for event in events
        ]
    )


@transaction.atomic
def set_consent(
    *,
    customer,
    purpose: str,
    granted: bool,
    source: ConsentSource,
    actor: str,
    confirmation: Confirmation | None = None,
    channel: str = "",
    notice_delivery: str = "",
    language: str | None = None,
) -> ConsentState:
    """Grant or withdraw one purpose. A withdrawal hands the customer to the handlers
    registered for that purpose once the change is committed (`account`: erasure). A
    double opt-in grant needs its confirmation (or repeats a grant in force). `language`:
    the notice's language the customer read (the active language when None)."""
    clean_consent_choices({purpose: granted}, require_account=False)
    if not live_customer_ids([customer.pk]):
        # Erased or being erased: the ledger of a leaving customer takes no new rows.
        raise ValidationError({"customer": ["No customer with this id."]})
    needed = required_purpose(purpose)
    if granted and needed and not has_consent(customer.pk, needed):
        raise ValidationError({purpose: [f"Needs {needed} granted first."]})
    record_consents(
        customer=customer,
        choices={purpose: granted},
        source=source,
        actor=actor,
        confirmation=confirmation,
        channel=channel,
        notice_delivery=notice_delivery,
        language=language,
    )
    record_change(customer_id=customer.pk, kind=ChangeKind.CONSENT)
    if not granted:
        for handler in _withdrawal_handlers.get(purpose, ()):
            transaction.on_commit(
                lambda handler=handler: handler(customer_id=customer.pk, actor=actor)
            )
    return ConsentState.objects.select_related("notice").get(customer=customer, purpose_id=purpose)


@dataclass(frozen=True)
class CarriedConsent:
    """A choice made before the subject was a customer (as a lead): its evidence."""

    purpose: str
    notice_id: int
    granted: bool
    source: ConsentSource
    channel: str
    given_at: datetime
    confirmation: Confirmation | None = None  # a double opt-in grant's confirmation
    notice_language: str = "en"  # the language the notice was shown in


def carry_over_consents(*, customer, history: Sequence[CarriedConsent], actor: str) -> None:
    """Append a lead's consent history to a new customer's ledger, oldest first, each
    event keeping the notice version shown, when and where the choice was made; the
    current state follows the latest choice per purpose. Called inside the conversion's
    transaction. A double opt-in grant carries over only with its confirmation."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Consents are carried over inside the conversion's transaction.")
    _refuse_unconfirmed(
        [
            item.purpose
            for item in history
            if item.granted and item.confirmation is None and needs_confirmation(item.purpose)
        ]
    )
    for item in sorted(history, key=lambda item: item.given_at):
        event = ConsentEvent.objects.create(
            customer=customer,
            purpose_id=item.purpose,
            notice_id=item.notice_id,
            granted=item.granted,
            source=item.source,
            actor=actor,
            given_at=item.given_at,
            channel=item.channel[:100],
            notice_language=item.notice_language,
            **confirmation_fields(item.granted, item.confirmation),
        )
        ConsentState.objects.update_or_create(
            customer=customer,
            purpose_id=item.purpose,
            defaults={
                "granted": item.granted,
                "notice_id": item.notice_id,
                "event": event,
                "updated_at": event.occurred_at,
            },
        )
        record_event(
            actor=actor,
            action=AuditAction.CONSENT_GRANTED if item.granted else AuditAction.CONSENT_WITHDRAWN,
            object_type="consent.purpose",
            object_id=item.purpose,
            subject_id=customer.pk,
            purpose=item.purpose,
            metadata={
                "source": item.source,
                "carried_over": True,
                "notice_language": item.notice_language,
            },
        )
