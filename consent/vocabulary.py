"""The one vocabulary of purposes and lawful bases: their names in plain words and a
one-line description, for customers (portal, mails, lead forms) and staff (dashboard)
alike, so that no page shows a code like `marketing_phone`. The stored Purpose.name is
only the seed's label; surfaces show these. Translations live in the root catalogue."""

from django.utils.translation import gettext_lazy as _

from runtime.vocabulary import Term, term_name

PURPOSES = {
    "account": Term(_("Your account"), _("To run your account: sign-in, orders and service.")),
    "personalization": Term(
        _("Personal suggestions"), _("Suggestions picked from what you bought before.")
    ),
    "sensitive_personalization": Term(
        _("Suggestions from sensitive purchases"),
        _("Also use purchases that may reveal health or beliefs for your suggestions."),
    ),
    "marketing_email": Term(_("Offers by email"), _("We email you offers and news.")),
    "marketing_post": Term(_("Offers by post"), _("We post you offers and catalogues.")),
    "marketing_phone": Term(_("Offers by phone"), _("We call or text you about offers.")),
    "analytics": Term(
        _("Statistics"), _("Your visits and purchases counted with everyone else's.")
    ),
}

# Names only, for the callers that only show a name.
PURPOSE_TEXT = {code: term.name for code, term in PURPOSES.items()}

LAWFUL_BASES = {
    "consent": Term(_("Your agreement"), _("We do it only because you agreed, until you stop.")),
    "contract": Term(_("Our contract with you"), _("We need it to deliver what you asked us for.")),
    "legal_obligation": Term(
        _("The law"), _("A law requires it, for example tax law for invoices.")
    ),
    "legitimate_interests": Term(
        _("Our legitimate interest"),
        _("A reasonable interest of ours that you can object to."),
    ),
}

# Where a choice came from (ConsentSource), as the end of "notice version 1, via ...".
CONSENT_SOURCES = {
    "portal": Term(_("this site"), _("You changed it yourself, signed in here.")),
    "api": Term(_("a connected shop"), _("A shop we work with passed on your choice.")),
    "staff": Term(_("our staff"), _("A staff member recorded what you told them.")),
    "import": Term(_("an imported list"), _("It came with a list, with its own proof.")),
    "unsubscribe": Term(
        _("the unsubscribe link"), _("You followed the link at the end of an offer.")
    ),
    "form": Term(_("our contact form"), _("You chose it on our form, before you had an account.")),
}


def purpose_name(code: str) -> str:
    """A purpose's plain name; a purpose added later falls back to its code in words."""
    return term_name(PURPOSES, code)


def purpose_description(code: str) -> str:
    term = PURPOSES.get(code)
    return str(term.description) if term else ""


def lawful_basis_name(code: str) -> str:
    return term_name(LAWFUL_BASES, code)


def consent_source_name(code: str) -> str:
    return term_name(CONSENT_SOURCES, code)
