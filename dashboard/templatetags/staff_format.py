"""Numbers on staff pages in the reader's language: `money` formats a price with its
currency ("€57.13", "€57,13" in Bahasa Indonesia) through Babel (CLDR); `whole_minutes`
turns a timedelta into a count of minutes, rounded up, for "Try again in 15 minutes".

`money` is runtime/money.py's, as on the portal: settings.CURRENCY, the shop's."""

import math
from datetime import timedelta

from django import template

from runtime.money import money_text

register = template.Library()


@register.filter
def money(amount) -> str:
    return money_text(amount)


@register.filter
def whole_minutes(span) -> int:
    if not isinstance(span, timedelta):
        return 0
    return max(1, math.ceil(span.total_seconds() / 60))
