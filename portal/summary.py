"""The readable summary of a customer's data: the parts of My data in full, with the
time zone and currency named. One builder for the portal's printable summary and the
privacy desk's copy for a customer who asked by letter or phone (both render
portal/includes/export_summary_body.html with it), so they cannot drift apart."""

from babel.numbers import get_currency_name
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, to_locale

from portal.access_log import zone_name
from portal.holdings import holdings_of


def summary_context(*, customer, document: dict) -> dict:
    """The template context of the summary of `customer`'s data; `document` is their
    export (its format is named on the page)."""
    return {
        "document": document,
        "holdings": holdings_of(customer),
        "generated_at": timezone.now(),
        "zone": zone_name(),
        "currency": get_currency_name(
            settings.CURRENCY, locale=to_locale(get_language() or "en-gb")
        ),
    }
