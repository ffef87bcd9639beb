"""Purchase lines checked in bulk by a compiled validator (pydantic v2), DRF for the rest.

A 500-line batch spent about 100 µs a line in DRF's fields (profiled, issue 28); pydantic
checks the whole list in one call into compiled code. It is the fast path only: it
accepts a line when the line is in the plain form storefronts send (a dashed UUID, text
without surrounding blanks, a decimal string or whole number for the price, an ISO time
with its offset) and leaves every other line, valid or not, to the DRF serializer. So
what it accepts is a subset of what DRF accepts, its values are the ones DRF would
produce, and every error message and the 400 body still come from DRF
(API_CONTRACT.md): a refused line is never described by pydantic.

`validate_lines` has `api.strict.validate_items`'s signature and result.
"""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import (
    Annotated,
    NotRequired,  # pydantic's need on Python 3.11
)

from django.utils import timezone
from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from api.strict import validate_items

# No leading or trailing blank or control character (DRF trims those, or refuses an
# empty result), no NUL anywhere (DRF refuses it).
_TEXT = r"^[^\s\x00-\x1f](?:[^\x00]*[^\s\x00-\x1f])?$"
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_MONEY = r"^\d{1,8}(?:\.\d{1,2})?$"
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$"
_CENTS = Decimal("0.01")


_Text100 = Annotated[str, StringConstraints(max_length=100, pattern=_TEXT)]
_Text64 = Annotated[str, StringConstraints(max_length=64, pattern=_TEXT)]


class _Line(TypedDict):
    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]

    customer: NotRequired[Annotated[str, StringConstraints(pattern=_UUID)]]
    customer_external_id: NotRequired[_Text100]
    order_id: _Text100
    sku: _Text64
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    unit_price: (
        Annotated[str, StringConstraints(pattern=_MONEY)]
        | Annotated[int, Field(ge=0, le=99_999_999)]
    )
    purchased_at: Annotated[str, StringConstraints(pattern=_TIME)]


_ONE = TypeAdapter(_Line)
_MANY = TypeAdapter(list[_Line])


def _converted(line: dict, zone) -> dict | None:
    """The line with DRF's values (UUID, Decimal to the cent, aware datetime in the
    current time zone), or None when only DRF can say (an impossible date, both or
    neither of the customer fields)."""
    if ("customer" in line) == ("customer_external_id" in line):
        return None
    try:
        purchased_at = datetime.fromisoformat(line["purchased_at"])
        purchased_at = purchased_at.astimezone(zone)
    except (ValueError, OverflowError):
        return None
    if "customer" in line:
        line["customer"] = uuid.UUID(line["customer"])
    line["unit_price"] = Decimal(str(line["unit_price"])).quantize(_CENTS)
    line["purchased_at"] = purchased_at
    return line


def validate_lines(serializer_class, items: list) -> tuple[dict[int, dict], dict[int, dict]]:
    """(validated data by index, field errors by index), as `validate_items` gives them
    for `serializer_class` (the purchase line serializer)."""
    try:
        checked = _MANY.validate_python(items)
        plain = dict(enumerate(checked))
    except ValidationError:
        plain = {}
        for index, item in enumerate(items):
            try:
                plain[index] = _ONE.validate_python(item)
            except ValidationError:
                continue
    valid, rest = {}, []
    zone = timezone.get_current_timezone()
    for index in range(len(items)):
        line = plain.get(index)
        converted = _converted(line, zone) if line is not None else None
        if converted is None:
            rest.append(index)
        else:
            valid[index] = converted
    if not rest:
        return valid, {}
    slow_valid, errors = validate_items(serializer_class, [items[index] for index in rest])
    valid.update({rest[position]: data for position, data in slow_valid.items()})
    return dict(sorted(valid.items())), {rest[position]: e for position, e in errors.items()}
