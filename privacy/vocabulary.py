"""Customer-facing names of the requests a person makes about their data and of their
statuses (privacy.models RequestKind and RequestStatus), with a one-line description.
The model's labels stay the privacy desk's terms; the portal and exports show these."""

from django.utils.translation import gettext_lazy as _

from runtime.vocabulary import Term, term_name

REQUEST_KINDS = {
    "access": Term(_("See your data"), _("You asked for a copy of everything we hold about you.")),
    "rectification": Term(_("Correct your data"), _("You asked us to correct a detail.")),
    "erasure": Term(_("Erase your data"), _("You asked us to erase your data.")),
    "restriction": Term(
        _("Pause the use of your data"), _("You asked us to keep your data but not use it.")
    ),
    "objection": Term(
        _("Stop suggestions from your data"),
        _("You objected to suggestions picked from your purchases."),
    ),
}

REQUEST_STATUSES = {
    "open": Term(_("Received"), _("We have your request and will answer it.")),
    "in_progress": Term(_("Being handled"), _("Someone is working on your request.")),
    "done": Term(_("Done"), _("We did what you asked.")),
    "rejected": Term(_("Declined"), _("We could not do what you asked; we told you why.")),
}


def request_kind_name(code: str) -> str:
    return term_name(REQUEST_KINDS, code)


def request_status_name(code: str) -> str:
    return term_name(REQUEST_STATUSES, code)
