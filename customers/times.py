"""Plausible times (API v1.3): what a storefront reports as done (a purchase, a return,
an interaction) cannot lie further ahead of the server's clock than
`API_MAX_CLOCK_SKEW` (seconds, default one hour: clocks drift, orders do not come from
the future). Field messages for the services that record them; no value is echoed."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def latest_plausible(now: datetime | None = None) -> datetime:
    """The latest time a reported event may carry."""
    return (now or timezone.now()) + timedelta(seconds=settings.API_MAX_CLOCK_SKEW)


def future_errors(**moments: datetime | None) -> dict[str, list[str]]:
    """{field: [message]} for each aware time given that lies too far ahead."""
    limit = latest_plausible()
    return {
        name: [_("This time is in the future; send when it happened.")]
        for name, moment in moments.items()
        if moment is not None and timezone.is_aware(moment) and moment > limit
    }
