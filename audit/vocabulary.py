"""Customer-facing words for the audit actions a customer meets in their access log
and printable summary (audit.models.AuditAction): what was done, as the end of a
sentence whose subject is who did it ("Our service team · looked at your profile"),
and a one-line description. Actions only staff meet keep the model's label."""

from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction as A
from runtime.vocabulary import Term

ACTIONS = {
    A.CUSTOMER_CREATED: Term(_("created your account"), _("Your account was opened.")),
    A.CUSTOMER_UPDATED: Term(_("changed your profile"), _("A detail of your profile changed.")),
    A.CUSTOMER_REVEALED: Term(
        _("looked at a protected detail"), _("A staff member opened a hidden detail.")
    ),
    A.CUSTOMER_VIEWED: Term(_("looked at your profile"), _("Your profile was opened.")),
    A.CONSENTS_VIEWED: Term(_("looked at your choices"), _("Your choices were read.")),
    A.PURCHASES_RECORDED: Term(_("recorded purchases"), _("A shop told us what you bought.")),
    A.INTERACTION_RECORDED: Term(
        _("recorded a contact with our service team"), _("A call or message was noted.")
    ),
    A.CONSENT_GRANTED: Term(_("recorded your agreement"), _("You agreed to a purpose.")),
    A.CONSENT_WITHDRAWN: Term(_("recorded your withdrawal"), _("You withdrew an agreement.")),
    A.CONSENT_CONFIRMATION_SENT: Term(
        _("sent a confirmation link"), _("We mailed you a link to confirm a choice.")
    ),
    A.CUSTOMER_EXPORTED: Term(_("exported your data"), _("A copy of your data was made.")),
    A.ERASURE_REQUESTED: Term(
        _("asked for your data to be erased"), _("Erasing your account started.")
    ),
    A.ERASURE_EXTENDED: Term(
        _("extended the erasure deadline"), _("The erasure deadline was moved, with a reason.")
    ),
    A.ERASURE_VIEWED: Term(
        _("looked at the erasure status"), _("The progress of an erasure was read.")
    ),
    A.DISCLOSED: Term(
        _("shared data with a processor"), _("A company that works for us received data.")
    ),
    A.RECOMMENDATIONS_VIEWED: Term(
        _("looked at your suggestions"), _("Your suggestions were shown.")
    ),
    A.RECOMMENDATIONS_FORGOTTEN: Term(
        _("removed your purchases from our suggestions"),
        _("Your purchases no longer shape suggestions."),
    ),
    A.EMAIL_CHANGE_REQUESTED: Term(
        _("asked to change your email address"), _("A code went to a new address.")
    ),
    A.PORTAL_SIGNED_IN: Term(_("signed in"), _("Someone signed in with a mailed code.")),
    A.PORTAL_SIGNED_OUT: Term(_("signed out"), _("A session ended.")),
    A.PORTAL_VIEWED: Term(_("looked at your data"), _("A page of your data was opened.")),
    A.TICKET_OPENED: Term(_("opened a service ticket"), _("A question or complaint began.")),
    A.TICKET_UPDATED: Term(_("updated a service ticket"), _("A ticket's status changed.")),
    A.TICKET_NOTE_ADDED: Term(
        _("wrote in a service ticket"), _("A message was added to a ticket.")
    ),
    A.REQUEST_OPENED: Term(
        _("recorded your request"), _("Your request about your data was received.")
    ),
    A.REQUEST_VERIFIED: Term(
        _("checked it was you who asked"), _("We confirmed the request came from you.")
    ),
    A.REQUEST_ASSIGNED: Term(
        _("gave your request to a colleague"), _("A staff member took charge of your request.")
    ),
    A.REQUEST_EXTENDED: Term(
        _("extended the deadline of your request"), _("We need more time and told you why.")
    ),
    A.REQUEST_COMPLETED: Term(_("answered your request"), _("Your request is done.")),
    A.REQUEST_REJECTED: Term(
        _("declined your request"), _("We could not do what you asked, and told you why.")
    ),
    A.PROCESSING_RESTRICTED: Term(
        _("paused the use of your data"), _("Your data is kept but not used, as you asked.")
    ),
    A.RESTRICTION_LIFTED: Term(
        _("resumed the use of your data"), _("The pause on using your data ended.")
    ),
    A.CAMPAIGN_PREVIEWED: Term(
        _("previewed an offer for you"),
        _("A staff member checked how an offer would look to you."),
    ),
    A.CALL_CLAIMED: Term(
        _("took your planned call from a call list"),
        _("A staff member was given your call to make."),
    ),
    A.CALL_RECORDED: Term(
        _("noted how a call with you went"), _("The outcome of a planned call was noted.")
    ),
}

# Names only, for the access log's sentences.
ACTION_TEXT = {code: term.name for code, term in ACTIONS.items()}
