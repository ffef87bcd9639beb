"""Numbers on staff pages in the reader's language: `money` formats a price with its
currency ("€57.13", "€57,13" in Bahasa Indonesia) through Babel (CLDR); `whole_minutes`
turns a timedelta into a count of minutes, rounded up, for "Try again in 15 minutes".

`money` reads settings.CURRENCY (the shop's currency, the same setting the portal's
prices use), EUR when unset. The portal has its own `money` filter: when both exist
they are meant to become one."""

import math
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

register = template.Library()
DEFAULT_CURRENCY = "EUR"


@register.filter
def money(amount) -> str:
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    currency = getattr(settings, "CURRENCY", DEFAULT_CURRENCY)
    return format_currency(value, currency, locale=to_locale(get_language() or "en-gb"))


@register.filter
def whole_minutes(span) -> int:
    if not isinstance(span, timedelta):
        return 0
    return max(1, math.ceil(span.total_seconds() / 60))
