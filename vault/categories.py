"""Plain words for the registry's data categories and its tables, next to the registry
(vault/registry.py) that owns the codes: each category's customer-facing name and why it
is held, and for each registered table a sentence that counts its rows ("3 sign-in
codes we mailed you"). The portal, exports and dashboard read them from here; a
category or table added later falls back to its code in words (and the vocabulary test
fails until it is named here)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from runtime.vocabulary import Term, term_name

CATEGORIES = {
    "profile": Term(_("Your profile"), _("To run your account and reach you.")),
    "purchases": Term(_("Your purchases"), _("To deliver what you bought and keep invoices.")),
    "consent": Term(_("Your choices"), _("To prove what you agreed to, and when.")),
    "interactions": Term(_("Contacts with our service team"), _("To help you when you ask.")),
    "disclosures": Term(
        _("Who we shared data with"),
        _("Companies that work for us under a data-processing agreement."),
    ),
    "recommendations": Term(
        _("Suggestions and why"),
        _("What we suggested to you, and the purchases our suggestions learned from."),
    ),
    "service_tickets": Term(
        _("Your questions and complaints"), _("To answer you, and to learn from complaints.")
    ),
    "access_log": Term(_("Access log"), _("Who looked at or changed your data, and why.")),
    "sign_in": Term(_("Sign-in records"), _("To let only you into your account.")),
    "data_subject_requests": Term(
        _("Requests you made"), _("To answer your requests about your data, and to prove we did.")
    ),
    "lead": Term(_("Your first contact with us"), _("What you sent us before you had an account.")),
    "lead_consent": Term(
        _("Choices from your first contact"), _("What you agreed to before you had an account.")
    ),
    "deals": Term(_("Offers we prepared for you"), _("To follow up what you asked us for.")),
    "marketing": Term(_("Offers we sent you"), _("To send only the offers you agreed to.")),
    "api_replies": Term(
        _("Replies to connected shops"),
        _("So a shop that sends the same request twice does not record it twice."),
    ),
    "change_feed": Term(
        _("Change notices to connected shops"),
        _("So the shops we work with learn of a change, such as a correction."),
    ),
    "staff_reveal_reasons": Term(
        _("Reasons our staff gave for looking"),
        _("So our privacy officer can check every look at a protected detail."),
    ),
    "staff_access_reviews": Term(
        _("Checks of our staff's access"),
        _("So our privacy officer can check every look at a protected detail."),
    ),
}

# How long a category's records are kept under a retention policy, in its own words
# (%(period)s is "3 years"); other categories say "Each record is kept ...".
KEPT_TEXT = {
    "purchases": _("Each purchase is kept %(period)s after you made it."),
    "interactions": _("Each contact is kept %(period)s after it happened."),
}

# One sentence per registered table, counting the customer's rows in it.
RECORDS = {
    "customers.customer": ngettext_lazy("%(count)d profile.", "%(count)d profiles.", "count"),
    "customers.purchase": ngettext_lazy(
        "%(count)d purchase line.", "%(count)d purchase lines.", "count"
    ),
    "customers.interaction": ngettext_lazy(
        "%(count)d contact with our service team.",
        "%(count)d contacts with our service team.",
        "count",
    ),
    "customers.emailchange": ngettext_lazy(
        "%(count)d code we mailed to check a new email address.",
        "%(count)d codes we mailed to check a new email address.",
        "count",
    ),
    "portal.emailundo": ngettext_lazy(
        "%(count)d link to undo an email change, sent to your old address.",
        "%(count)d links to undo an email change, sent to your old address.",
        "count",
    ),
    "portal.signincode": ngettext_lazy(
        "%(count)d sign-in code we mailed you, kept only as a fingerprint.",
        "%(count)d sign-in codes we mailed you, kept only as fingerprints.",
        "count",
    ),
    "portal.sessioncutoff": ngettext_lazy(
        "%(count)d time you signed every device out.",
        "%(count)d times you signed every device out.",
        "count",
    ),
    "consent.consentevent": ngettext_lazy(
        "%(count)d change of your choices.", "%(count)d changes of your choices.", "count"
    ),
    "consent.consentstate": ngettext_lazy(
        "%(count)d current choice.", "%(count)d current choices.", "count"
    ),
    "consent.consentconfirmation": ngettext_lazy(
        "%(count)d link we mailed you to confirm a choice.",
        "%(count)d links we mailed you to confirm a choice.",
        "count",
    ),
    "recommendations.shownrecommendation": ngettext_lazy(
        "%(count)d time we showed you suggestions.",
        "%(count)d times we showed you suggestions.",
        "count",
    ),
    "recommendations.contributor": ngettext_lazy(
        "%(count)d note of what your purchases taught our suggestions, so we can take it "
        "out again.",
        "%(count)d notes of what your purchases taught our suggestions, so we can take "
        "them out again.",
        "count",
    ),
    "disposal.disclosure": ngettext_lazy(
        "%(count)d time we shared data with a company that works for us.",
        "%(count)d times we shared data with companies that work for us.",
        "count",
    ),
    "privacy.datasubjectrequest": ngettext_lazy(
        "%(count)d request you made about your data.",
        "%(count)d requests you made about your data.",
        "count",
    ),
    "campaigns.recipient": ngettext_lazy(
        "%(count)d offer we sent you or planned to.",
        "%(count)d offers we sent you or planned to.",
        "count",
    ),
    "leads.lead": ngettext_lazy(
        "%(count)d message you sent us before you had an account.",
        "%(count)d messages you sent us before you had an account.",
        "count",
    ),
    "leads.leadconsent": ngettext_lazy(
        "%(count)d choice you made before you had an account.",
        "%(count)d choices you made before you had an account.",
        "count",
    ),
    "leads.leadconfirmation": ngettext_lazy(
        "%(count)d link we mailed you before you had an account to confirm a choice.",
        "%(count)d links we mailed you before you had an account to confirm a choice.",
        "count",
    ),
    "leads.leadnote": ngettext_lazy(
        "%(count)d note our staff wrote about you before you had an account.",
        "%(count)d notes our staff wrote about you before you had an account.",
        "count",
    ),
    "leads.deal": ngettext_lazy(
        "%(count)d offer we prepared for you.", "%(count)d offers we prepared for you.", "count"
    ),
    "service.ticket": ngettext_lazy(
        "%(count)d question or complaint.", "%(count)d questions or complaints.", "count"
    ),
    "service.ticketnote": ngettext_lazy(
        "%(count)d message in your questions and complaints.",
        "%(count)d messages in your questions and complaints.",
        "count",
    ),
    "api.idempotentreply": ngettext_lazy(
        "%(count)d reply we gave a connected shop about you, kept a short time so a "
        "repeated request is not recorded twice.",
        "%(count)d replies we gave connected shops about you, kept a short time so a "
        "repeated request is not recorded twice.",
        "count",
    ),
    "changes.change": ngettext_lazy(
        "%(count)d notice of a change we gave the shops we work with.",
        "%(count)d notices of changes we gave the shops we work with.",
        "count",
    ),
    "access.revealreason": ngettext_lazy(
        "%(count)d reason a staff member wrote down before looking at a protected detail.",
        "%(count)d reasons staff members wrote down before looking at a protected detail.",
        "count",
    ),
    "access.accessreview": ngettext_lazy(
        "%(count)d check by our privacy officer of a staff member's look at your data.",
        "%(count)d checks by our privacy officer of staff members' looks at your data.",
        "count",
    ),
    "audit.auditevent": ngettext_lazy(
        "%(count)d line in the log of who looked at or changed your data.",
        "%(count)d lines in the log of who looked at or changed your data.",
        "count",
    ),
}


def category_name(code: str) -> str:
    return term_name(CATEGORIES, code)


def category_description(code: str) -> str:
    term = CATEGORIES.get(code)
    return str(term.description) if term else ""


def kept_sentence(code: str, period: str) -> str:
    sentence = KEPT_TEXT.get(code, _("Each record is kept %(period)s after it was made."))
    return sentence % {"period": period}


def records_sentence(label: str, count: int) -> str:
    """ "3 sign-in codes we mailed you, ..." for `count` rows of the table `label`."""
    sentence = RECORDS.get(label)
    if sentence is None:
        return f"{label.split('.')[-1].capitalize()}: {count}"
    return sentence % {"count": count}
