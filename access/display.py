"""What a staff page shows of a customer: masked by default. A profile field is plain
only when this page's reveal granted it and the user's role may see it (vault.masking
masks); a product in a sensitive category is "Sensitive item", with no name, sku or
category, to every role that may not see special-category data (access.policy). Also the
staff's names for the kinds of reveal purpose (the fields' names are access.policy's)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from access.policy import (
    FIELD_LABELS,
    Field,
    is_sensitive_category,
    may_see,
    may_see_sensitive_items,
)
from vault.masking import MASK, mask_email, mask_phone, mask_text

PROFILE = (
    (Field.NAME, "full_name", FIELD_LABELS[Field.NAME], mask_text),
    (Field.EMAIL, "email", FIELD_LABELS[Field.EMAIL], mask_email),
    (Field.PHONE, "phone", FIELD_LABELS[Field.PHONE], mask_phone),
    (Field.ADDRESS, "postal_address", FIELD_LABELS[Field.ADDRESS], mask_text),
)
SENSITIVE_ITEM = _("Sensitive item")
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


@dataclass(frozen=True)
class ShownPurchase:
    purchased_at: datetime
    order_id: str
    name: str
    sku: str
    category: str
    quantity: int
    unit_price: Decimal
    sensitive: bool  # shown as "Sensitive item": name, sku and category are empty


def purchase_lines(purchases: Iterable, *, user) -> list[ShownPurchase]:
    """Purchase lines (with their product) as this user may see them."""
    plain = may_see_sensitive_items(user)
    shown = []
    for line in purchases:
        product = line.product
        hidden = not plain and is_sensitive_category(product.category)
        shown.append(
            ShownPurchase(
                line.purchased_at,
                line.order_id,
                str(SENSITIVE_ITEM) if hidden else product.name,
                "" if hidden else product.sku,
                "" if hidden else product.category,
                line.quantity,
                line.unit_price,
                hidden,
            )
        )
    return shown


def product_names(skus: Iterable[str], categories: Mapping[str, str], *, user) -> list[str]:
    """Skus (offers, recommendations) as this user may see them: a sensitive one as
    "Sensitive item". `categories` maps each sku to its product's category."""
    plain = may_see_sensitive_items(user)
    return [
        str(SENSITIVE_ITEM) if not plain and is_sensitive_category(categories.get(sku)) else sku
        for sku in skus
    ]
