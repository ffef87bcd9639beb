"""Customer-facing names of an erasure's statuses (disposal.models.ErasureStatus), with
a one-line description, for the portal's closing pages."""

from django.utils.translation import gettext_lazy as _

from runtime.vocabulary import Term, term_name

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
