"""Plain names for codes on staff pages, from the one vocabulary (consent.vocabulary)."""

from django import template

from consent.models import NoticeDelivery
from consent.vocabulary import lawful_basis_name as _lawful_basis_name
from consent.vocabulary import purpose_name as _purpose_name
from privacy.models import RequestChannel
from vault.categories import category_name

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
def category_names(codes) -> str:
    """`{{ disclosure.categories|category_names }}`: "Your profile, Your purchases"."""
    return ", ".join(category_name(str(code)) for code in codes or ())
