"""Plain names for codes on staff pages, from the one vocabulary (consent.vocabulary)."""

from django import template

from consent.models import NoticeDelivery
from consent.vocabulary import lawful_basis_name as _lawful_basis_name
from consent.vocabulary import purpose_name as _purpose_name
from disposal.vocabulary import holding_name
from portal.presentation import category_label
from privacy.models import RequestChannel

register = template.Library()


@register.filter
def purpose_name(code: str) -> str:
    """`{{ event.purpose_id|purpose_name }}`: "Offers by phone", never the code."""
    return _purpose_name(str(code))


@register.filter
def contact_channel(code: str) -> str:
    """How a choice reached staff ("phone", "post", "in_person") in words; other
    channels (a capture form's slug) as they are."""
    return str(RequestChannel(code).label) if code in RequestChannel.values else code


@register.filter
def notice_delivery(code: str) -> str:
    return str(NoticeDelivery(code).label) if code in NoticeDelivery.values else ""


@register.filter
def lawful_basis_name(code: str) -> str:
    """`{{ consent.lawful_basis|lawful_basis_name }}`: "Your agreement", never the code."""
    return _lawful_basis_name(str(code))


@register.filter
def category_name(code: str) -> str:
    """A data category in the portal's words ("Your purchases"), never the code."""
    return str(category_label(str(code)))


@register.filter
def category_names(codes) -> str:
    """Several categories, named and joined: "Your profile, Your purchases"."""
    return ", ".join(holding_name(str(code)) for code in codes or ())


@register.filter
def purpose_names(codes) -> str:
    """Several purposes, named and joined: "Offers by email, Offers by post"."""
    return ", ".join(_purpose_name(str(code)) for code in codes or ())
