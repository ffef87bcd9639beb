"""Strict input (v1.1): what a storefront sends means exactly one thing.

- `StrictSerializer`: a field the endpoint does not know is a 400 naming it (a typo such
  as `"name"` for `"full_name"` must not be stored as an empty name).
- `StrictBooleanField`: JSON `true` / `false` only; `"yes"`, `1` or `"true"` are 400
  (a consent must be unambiguous).
- `AwareDateTimeField`: an ISO 8601 time with its time zone (`Z` or `+01:00`); a time
  without one is 400, never silently read as UTC.

Messages never echo the submitted value.
"""

from collections.abc import Mapping

from django.utils import timezone
from rest_framework import serializers

UNKNOWN_FIELD = "Unknown field."


def unknown_field_errors(data, known) -> dict[str, list[str]]:
    if not isinstance(data, Mapping):
        return {}
    return {str(name): [UNKNOWN_FIELD] for name in sorted(set(data) - set(known), key=str)}


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses fields it does not declare, alongside its other errors."""

    def to_internal_value(self, data):
        unknown = unknown_field_errors(data, self.fields)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError({**detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be a JSON boolean: true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class AwareDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "naive": "Give the time zone, e.g. 2026-11-20T10:00:00Z.",
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)
