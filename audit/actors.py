"""Who an audit actor is, in words a customer may read: an API client's name, a staff
member's role, "you", never a staff member's name.

Audit rows name actors by code ("api-key:<prefix>", "staff:<id>", "customer",
"system..."). The apps that own those actors register a describer for their prefix in
their AppConfig (the API for keys, staff access for roles), so audit imports nothing
above it.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

CUSTOMER = "customer"  # the customer themselves, signed in to the portal

_describers: dict[str, Callable[[str], str | None]] = {}


def register_actor_describer(prefix: str, describer: Callable[[str], str | None]) -> None:
    """describer(rest_of_actor) -> a label, or None when it knows nothing better."""
    _describers[prefix] = describer


def describe_actor(actor: str) -> str:
    if actor == CUSTOMER:
        return _("You")
    prefix, _sep, rest = actor.partition(":")
    describer = _describers.get(prefix)
    label = describer(rest) if describer else None
    if label:
        return label
    if prefix == "staff":
        return _("Staff member")
    if prefix == "api-key":
        return _("A connected shop")
    return _("Custodian (automatic)")
