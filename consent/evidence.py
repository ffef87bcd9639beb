"""Consent evidence from outside the ledger (imported lists): when it was given."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _


def parse_given_at(text: str | None) -> datetime:
    """A date or date-time a choice was made, aware (naive ones in the current time
    zone); ValidationError under `consent_at` when missing, malformed or in the future."""
    text = (text or "").strip()
    moment = parse_datetime(text) if text else None
    if moment is None and text:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        moment = datetime(day.year, day.month, day.day) if day else None
    if moment is None:
        raise ValidationError(
            {
                "consent_at": [
                    _("Give when consent was given, e.g. 2026-03-01 or 2026-03-01T10:00Z.")
                ]
            }
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise ValidationError({"consent_at": [_("Consent cannot be given in the future.")]})
    return moment
