"""Deadlines counted as the GDPR counts them."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it has no such day
    (Regulation 1182/71 Art. 3(2)(c), which the GDPR's "one month" follows):
    31 January + 1 month = 28 (or 29) February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
