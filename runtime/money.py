"""Prices in the reader's language, in the shop's currency (settings.CURRENCY): "€57.13"
in English, "€57,13" in Bahasa Indonesia, through Babel (CLDR). The one formatter for
the portal's and the dashboard's `money` template filters."""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django.conf import settings
from django.utils.translation import get_language, to_locale


def money_text(amount, currency: str | None = None) -> str:
    """A price with its currency for the active language; "" for no amount, and a value
    that is not a number as it is."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    return format_currency(
        value, currency or settings.CURRENCY, locale=to_locale(get_language() or "en-gb")
    )
