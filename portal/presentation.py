"""Plain words for codes the customer meets: data categories, audit actions, purposes.
An unknown code (a category or action added later) falls back to its own name, so a
new kind of data is still shown, only less prettily."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from audit.models import AuditAction
from audit.vocabulary import ACTION_TEXT
from consent.vocabulary import PURPOSE_TEXT, consent_source_name, purpose_name
from vault.categories import category_name

# Registry texts shown to customers through {% translate %} with a variable.
gettext_noop("Invoice lines are kept for tax law; erasure unlinks them from you.")

# The order a person reads their data in: the profile first, records for safety last.
CATEGORY_ORDER = [
    "profile",
    "purchases",
    "consent",
    "interactions",
    "service_tickets",
    "recommendations",
    "disclosures",
    "data_subject_requests",
    "lead",
    "lead_consent",
    "deals",
    "marketing",
    "sign_in",
    "access_log",
    "staff_reveal_reasons",
    "staff_access_reviews",
    "api_replies",
    "change_feed",
]


def category_sort_key(category: str) -> tuple[int, str]:
    """Sorts categories in CATEGORY_ORDER; unknown ones after, by code."""
    known = category in CATEGORY_ORDER
    return (CATEGORY_ORDER.index(category) if known else len(CATEGORY_ORDER), category)


def duration_text(days: int) -> str:
    """A retention period in the unit a person uses: "6 years", "3 months", "30 days".
    The one formatter for every period the portal shows (template filter `duration`)."""
    days = int(days)
    years = round(days / 365.25)
    if years >= 1 and abs(days - years * 365.25) <= 3:
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    months = round(days / 30.44)
    if days > 60 and abs(days - months * 30.44) <= 3:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    if days > 60:
        weeks = round(days / 7)
        return ngettext("about %(count)d week", "about %(count)d weeks", weeks) % {"count": weeks}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


# The details a staff reveal names (its audit row's "fields", access.policy.Field codes).
DETAIL_TEXT = {
    "name": _("your name"),
    "email": _("your email address"),
    "phone": _("your phone number"),
    "address": _("your postal address"),
    "notes": _("notes of your contacts with us"),
}


def action_text(event) -> str:
    """What an audit event did, in the customer's words; a staff reveal names the
    details it showed ("looked at your email address, your phone number")."""
    if event.action == AuditAction.CUSTOMER_REVEALED:
        codes = str((event.metadata or {}).get("fields", "")).split(",")
        details = [str(DETAIL_TEXT[code]) for code in codes if code in DETAIL_TEXT]
        if details:
            return _("looked at %(details)s") % {"details": ", ".join(details)}
    return str(ACTION_TEXT.get(event.action, event.get_action_display()))


# Why an access happened, as audit rows record it (purpose codes and access reasons).
ACCESS_PURPOSE_TEXT = {
    **PURPOSE_TEXT,
    "access_request": _("Your right to see your data"),
    "erasure": _("Erasing your data"),
    "processing": _("Sharing with a company that works for us"),
    "retention": _("Deleting data past its retention period"),
    "service": _("Answering your questions"),
    "staff_view": _("Working on your customer record"),
}

# Why a staff member revealed a detail (access.policy.PurposeKind, "kind:id").
ACCESS_ITEM_TEXT = {
    "ticket": _("Your service ticket"),
    "request": _("A request you made about your data"),
    "call": _("A phone call we planned with you"),
    "reason": _("A reason the staff member wrote down, checked by our privacy officer"),
}


def access_purpose_label(code: str) -> str:
    kind, separator, _ref = code.partition(":")
    if separator and kind in ACCESS_ITEM_TEXT:
        return str(ACCESS_ITEM_TEXT[kind])
    return str(ACCESS_PURPOSE_TEXT.get(code, code.replace("_", " ")))


def category_label(category: str) -> str:
    return category_name(category)


def purpose_label(purpose) -> str:
    return purpose_name(purpose.code)


# How a choice staff recorded for the customer reached them (consent event channels of
# source "staff", the privacy desk's names), in the customer's words.
STAFF_CHANNEL_TEXT = {
    "phone": _("recorded by our staff from your call"),
    "post": _("recorded by our staff from your letter"),
    "in_person": _("recorded by our staff when you visited"),
}


def choice_origin(event) -> str:
    """Where a choice in the ledger came from: "recorded by our staff from your call"
    for one staff wrote down for the customer, else the source's name."""
    if event.source == "staff":
        return str(STAFF_CHANNEL_TEXT.get(event.channel, _("recorded by our staff")))
    return consent_source_name(event.source)
