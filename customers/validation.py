"""Field validation for customer data: each function returns the clean value or raises
ValidationError with a message that names the problem but never echoes the value."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from customers.normalization import normalize_email, normalize_external_id

MAX_EXTERNAL_ID = 100
MAX_NAME = 200
MAX_ADDRESS = 500


def _required_text(value, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("This field is required."), code="required")
    if len(value.strip()) > max_length:
        raise ValidationError(
            _("Ensure this value has at most %(limit)d characters.") % {"limit": max_length},
            code="max_length",
        )
    return value.strip()


def clean_external_id(value) -> str:
    return normalize_external_id(_required_text(value, MAX_EXTERNAL_ID))


def clean_email(value) -> str:
    email = normalize_email(_required_text(value, 254))
    validate_email(email)
    return email


def clean_full_name(value) -> str:
    if value in (None, ""):
        return ""
    return _required_text(value, MAX_NAME)


def clean_postal_address(value) -> str | None:
    if value in (None, ""):
        return None
    return _required_text(value, MAX_ADDRESS)


def clean_phone(value) -> str | None:
    """Parse and return the number in E.164 (+442079460000), or None when empty."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationError(_("Enter a phone number as text."), code="invalid")
    region = settings.PHONE_DEFAULT_REGION or None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a valid phone number with its country code, e.g. +44 20 7946 0000."),
            code="invalid",
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number is not valid for its country."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
