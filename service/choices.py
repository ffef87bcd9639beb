"""A choice recorded on the customer's behalf ("stop calling me", "no more post"): the
call centre or the post room writes down what the customer said, as the customer's own
choice in the consent ledger (source `staff`, the staff member as actor, the channel it
came by, and for a grant how the notice reached them), with an optional note kept
encrypted as a contact with the service team. Withdrawal is always allowed; a grant
needs the notice read out or sent, and a purpose under double opt-in
(CONSENT_DOUBLE_OPT_IN) is only asked for: the customer's own link confirms it.

Closing the account is an erasure (the privacy desk), and the explicit agreement to
suggestions from sensitive purchases is the customer's own tick in the portal: neither
is recorded here."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consent import opt_in
from consent import services as consent_services
from consent.models import ConsentSource, ConsentState, NoticeDelivery, NoticeLanguage
from consent.selectors import has_consent
from customers.models import Customer, InteractionChannel, InteractionKind
from customers.selectors import live_customer_ids
from customers.services import record_interaction
from privacy.models import RequestChannel

NOTE_MAX = 2000
# The channels a choice reaches staff by (the privacy desk's names for them), and the
# contact channel its note is filed under.
CHOICE_CHANNELS = {
    RequestChannel.PHONE: InteractionChannel.PHONE,
    RequestChannel.POST: InteractionChannel.OTHER,
    RequestChannel.IN_PERSON: InteractionChannel.STORE,
}
NOT_HERE = (consent_services.ACCOUNT, consent_services.SENSITIVE_PERSONALIZATION)


@dataclass(frozen=True)
class RecordedChoice:
    purpose: str
    granted: bool
    pending: bool  # a double opt-in grant waiting for the customer's link
    token: str = ""  # the signed confirmation token to mail (pending only)
    state: ConsentState | None = None


def _errors(*, purpose, granted, channel, notice_delivery, note) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        consent_services.clean_consent_choices({purpose: granted}, require_account=False)
    except ValidationError:
        errors["purpose"] = [_("Choose one of the purposes listed.")]
    else:
        if purpose == consent_services.ACCOUNT:
            errors["purpose"] = [
                _("Closing the account is an erasure request: record it on the privacy desk.")
            ]
        elif purpose == consent_services.SENSITIVE_PERSONALIZATION and granted:
            errors["purpose"] = [
                _("Only the customer can give this agreement, with its own tick in the portal.")
            ]
    if channel not in CHOICE_CHANNELS:
        errors["channel"] = [_("Say how the customer told you: phone, post or in person.")]
    if granted and notice_delivery not in NoticeDelivery.values:
        errors["notice_delivery"] = [
            _("Agreement needs the notice read out or sent to the customer: say which.")
        ]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}]
    return errors


@transaction.atomic
def record_choice_for_customer(
    *,
    customer: Customer,
    purpose: str,
    granted: bool,
    channel: str,
    actor: str,
    notice_delivery: str = "",
    note: str = "",
    notice_language: str = NoticeLanguage.EN,
) -> RecordedChoice:
    """Withdraw or grant `purpose` as the customer asked through `channel`. A grant of a
    double opt-in purpose the customer does not hold yet returns a pending choice with
    the token of the confirmation link to mail them; nothing is granted until they
    follow it. `notice_language`: the language the notice reached the customer in."""
    note = (note or "").strip()
    errors = _errors(
        purpose=purpose,
        granted=granted,
        channel=channel,
        notice_delivery=notice_delivery,
        note=note,
    )
    if notice_language not in NoticeLanguage.values:
        errors["notice_language"] = [_("Choose the language the notice was given in.")]
    if errors:
        raise ValidationError(errors)
    if not live_customer_ids([customer.pk]):
        raise ValidationError({"customer": [_("This customer is being erased.")]})
    if note:
        record_interaction(
            customer=customer,
            channel=CHOICE_CHANNELS[channel],
            kind=InteractionKind.OTHER,
            note=note,
            actor=actor,
        )
    if (
        granted
        and consent_services.needs_confirmation(purpose)
        and not has_consent(customer.pk, purpose)
    ):
        token = opt_in.request_confirmation(
            customer=customer,
            purpose=purpose,
            source=ConsentSource.STAFF,
            actor=actor,
            language=notice_language,
        )
        return RecordedChoice(purpose, granted, pending=True, token=token)
    state = consent_services.set_consent(
        customer=customer,
        purpose=purpose,
        granted=granted,
        source=ConsentSource.STAFF,
        actor=actor,
        channel=channel,
        notice_delivery=notice_delivery if granted else "",
        language=notice_language,
    )
    return RecordedChoice(purpose, granted, pending=False, state=state)
