"""What a staff page shows of a customer's profile: masked by default, a field plain only
when this page's reveal granted it and the user's role may see it (vault.masking masks)."""

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
