"""Plain names for disposal's codes: an erasure's statuses for the portal's closing pages
(with a one-line description), and, on staff pages and printed records, how erasure
treats a category and what a retention policy disposes of. Categories themselves are
named by vault.categories, purposes by consent.vocabulary."""

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from runtime.vocabulary import Term, term_name

ERASURE_TEXT = {
    "deleted": _("Deleted"),
    "pseudonymized": _("Unlinked from the person and kept"),
}

RETENTION_TEXT = {
    "inactive_customers": _("Customers inactive for the period (erased whole)"),
    "interactions": _("Contacts with the service team older than the period"),
    "purchase_detail": _("Purchase lines older than the period"),
    "unconverted_leads": _("Leads not converted and not contacted for the period"),
}


def erasure_text(method: str) -> str:
    """ "deleted" or "pseudonymized" in words; a category that mixes both per table says
    "Partly deleted, partly unlinked"."""
    if method in ERASURE_TEXT:
        return str(ERASURE_TEXT[method])
    return str(_("Partly deleted, partly unlinked from the person"))


def retention_text(category: str) -> str:
    return str(RETENTION_TEXT.get(category, category.replace("_", " ").capitalize()))


def country_name(code: str) -> str:
    """A two-letter country code in the reader's language ("Singapura" in Indonesian),
    from CLDR (Babel); an unknown code as it is."""
    try:
        locale = Locale.parse((get_language() or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return locale.territories.get(code.upper(), code.upper())


DELIVERY_TEXT = {
    "pending": _("Told, not yet confirmed"),
    "delivered": _("Told, confirmed"),
    "failed": _("Could not be told yet: retried"),
}


def delivery_text(status: str) -> str:
    return str(DELIVERY_TEXT.get(status, _("Not known")))


def holding_name(code: str) -> str:
    """What a carrier or an incident holds: a data category in the portal's words, or
    the key store (not a category of anyone's data, but the keys to all of it)."""
    from disposal.models import KEY_STORE
    from portal.presentation import category_label

    if code == KEY_STORE:
        return str(_("Key store (the customers' encryption keys)"))
    return str(category_label(code))


ERASURE_STATUSES = {
    "pending": Term(_("Waiting to start"), _("Your account is closed; erasing starts soon.")),
    "running": Term(_("Erasing"), _("We are erasing your data now.")),
    "done": Term(_("Erased"), _("Your data is erased; the certificate proves it.")),
    "failed": Term(
        _("Held up, being fixed"), _("Something stopped the erasure; our team finishes it.")
    ),
}


def erasure_status_name(code: str) -> str:
    return term_name(ERASURE_STATUSES, code)
