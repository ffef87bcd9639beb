"""Strict input (v1.1): what a storefront sends means exactly one thing.

- `StrictSerializer`: a field the endpoint does not know is a 400 naming it (a typo such
  as `"name"` for `"full_name"` must not be stored as an empty name).
- `StrictBooleanField`: JSON `true` / `false` only; `"yes"`, `1` or `"true"` are 400
  (a consent must be unambiguous).
- `StrictSerializer` also refuses values of the wrong JSON type (`"sku": 0`,
  `"quantity": "1"`).
- `MoneyField`: a decimal as a string (`"12.50"`) or, as v1 clients may send it, a number.
- `AwareDateTimeField`: an ISO 8601 time with its time zone (`Z` or `+01:00`); a time
  without one is 400, never silently read as UTC.

Messages never echo the submitted value.
"""

from collections.abc import Mapping

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

UNKNOWN_FIELD = "Unknown field."


def unknown_field_errors(data, known) -> dict[str, list[str]]:
    if not isinstance(data, Mapping):
        return {}
    return {str(name): [UNKNOWN_FIELD] for name in sorted(set(data) - set(known), key=str)}


def json_type_errors(data, fields) -> dict[str, list[str]]:
    """Values of the wrong JSON type: DRF would read `0` as the string "0" or "1" as the
    integer 1; a strict API does not guess."""
    if not isinstance(data, Mapping):
        return {}
    errors = {}
    for name, field in fields.items():
        value = data.get(name)
        if name not in data or value is None:
            continue
        if isinstance(field, serializers.CharField) and not isinstance(value, str):
            errors[name] = ["Must be a JSON string."]
        elif isinstance(field, serializers.IntegerField) and (
            isinstance(value, bool) or not isinstance(value, int)
        ):
            errors[name] = ["Must be a JSON integer."]
        elif isinstance(field, serializers.DecimalField) and (
            isinstance(value, bool) or not isinstance(value, (str, int, float))
        ):
            errors[name] = ['Must be a decimal, as a string ("12.50") or a number.']
    return errors


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses fields it does not declare and values of the wrong JSON
    type, alongside its other errors. For JSON bodies (query strings are all text)."""

    def to_internal_value(self, data):
        refused = json_type_errors(data, self.fields)
        refused.update(unknown_field_errors(data, self.fields))
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError({**detail, **refused}) from None
        if refused:
            raise serializers.ValidationError(refused)
        return value


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be a JSON boolean: true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only, where a value sits inside a map (`{"marketing_post": 2}`),
    out of reach of `StrictSerializer`'s own type check."""

    default_error_messages = {"invalid": "Must be a JSON integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "naive": "Give the time zone, e.g. 2026-11-20T10:00:00Z.",
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "pattern": r"^\d{1,8}(?:\.\d{1,2})?$"},
            {"type": "number", "minimum": 0, "maximum": 99999999.99, "multipleOf": 0.01},
        ],
        "example": "12.50",
    }
)
class MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


def validate_items(serializer_class, items: list) -> tuple[dict[int, dict], dict[int, dict]]:
    """Each item of a JSON list through one instance of the serializer: (validated data
    by index, field errors by index). DRF deep-copies a serializer's fields for every
    instance; one instance per item was half the time of a 500-line purchase batch, as
    profiled (docs/architecture/benchmarks.md)."""
    checker = serializer_class()
    valid, errors = {}, {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[index] = {"non_field_errors": ["Expected a JSON object."]}
            continue
        try:
            valid[index] = checker.run_validation(item)
        except serializers.ValidationError as error:
            errors[index] = error.detail
    return valid, errors
