"""What a staff page shows of a customer's profile: masked by default, a field plain only
when this page's reveal granted it and the user's role may see it (vault.masking masks).
Also the staff's names for revealable fields and for the kinds of reveal purpose."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from access.policy import Field, may_see
from vault.masking import MASK, mask_email, mask_phone, mask_text

PROFILE = (
    (Field.NAME, "full_name", _("Name"), mask_text),
    (Field.EMAIL, "email", _("Email"), mask_email),
    (Field.PHONE, "phone", _("Phone"), mask_phone),
    (Field.ADDRESS, "postal_address", _("Postal address"), mask_text),
)
# The names staff read for each field they may reveal (the reveal form, the access review).
FIELD_LABELS = {field: label for field, _attribute, label, _mask in PROFILE} | {
    Field.NOTES: _("Interaction notes"),
}
# Reveal purposes are recorded as "<kind>:<id>" (access.services); page views as
# "staff_view". Staff read them by kind.
PURPOSE_KIND_LABELS = {
    "ticket": _("Ticket"),
    "request": _("Request"),
    "call": _("Call list"),
    "reason": _("Reason"),
    "staff_view": _("Opened the customer's page"),
}


def field_labels(codes) -> list[str]:
    """Staff names of field codes ("email,phone" or a list); unknown codes are skipped."""
    if isinstance(codes, str):
        codes = [code for code in codes.split(",") if code]
    known = {field.value: label for field, label in FIELD_LABELS.items()}
    return [str(known[code]) for code in codes if code in known]


def purpose_kind(purpose: str) -> str:
    return purpose.partition(":")[0]


def purpose_kind_label(purpose: str) -> str:
    return str(PURPOSE_KIND_LABELS.get(purpose_kind(purpose), _("Other")))


@dataclass(frozen=True)
class ShownField:
    field: str
    label: str
    value: str
    revealed: bool
    may_reveal: bool


def profile_fields(customer, *, user, revealed: frozenset[str] = frozenset()) -> list[ShownField]:
    shown = []
    for field, attribute, label, mask in PROFILE:
        plain = getattr(customer, attribute) or ""
        allowed = may_see(user, field)
        is_revealed = allowed and field in revealed
        shown.append(
            ShownField(
                field, str(label), plain if is_revealed else mask(plain), is_revealed, allowed
            )
        )
    return shown


def note_text(note: str, *, user, revealed: frozenset[str]) -> str:
    """An interaction note: hidden entirely unless notes were revealed on this page."""
    if Field.NOTES in revealed and may_see(user, Field.NOTES):
        return note
    return MASK
