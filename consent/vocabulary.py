"""The one vocabulary of purposes: their names in plain words, for customers (portal,
mails) and staff (dashboard) alike, so that no page shows a code like
`marketing_phone`. The translations live in the portal's catalogue, where the names
were first written."""

from django.utils.translation import gettext_lazy as _

PURPOSE_TEXT = {
    "account": _("Your account"),
    "personalization": _("Personal suggestions"),
    "sensitive_personalization": _("Suggestions from sensitive purchases"),
    "marketing_email": _("Offers by email"),
    "marketing_post": _("Offers by post"),
    "marketing_phone": _("Offers by phone"),
    "analytics": _("Statistics"),
}


def purpose_name(code: str) -> str:
    """A purpose's plain name; a purpose added later falls back to its code in words."""
    return str(PURPOSE_TEXT.get(code, code.replace("_", " ").capitalize()))
