"""Customer-facing names of a service ticket's statuses (service.models.TicketStatus),
with a one-line description, for the portal and exports."""

from django.utils.translation import gettext_lazy as _

from runtime.vocabulary import Term, term_name

TICKET_STATUSES = {
    "open": Term(_("Open"), _("We are working on it.")),
    "waiting": Term(_("Waiting for your reply"), _("We asked you something.")),
    "resolved": Term(_("Answered"), _("We think it is solved; reply if it is not.")),
    "closed": Term(_("Closed"), _("Finished.")),
}


def ticket_status_name(code: str) -> str:
    return term_name(TICKET_STATUSES, code)
