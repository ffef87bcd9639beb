"""Template filters for the portal's words, all from the one vocabulary: `duration`
turns a count of days into the unit a person uses ("6 years"); `category_name`,
`category_why`, `request_kind`, `request_status`, `ticket_status` and
`erasure_status` name codes; `money` formats a price in the shop's currency
(settings.CURRENCY) for the active language."""

from django import template

from disposal.vocabulary import erasure_status_name
from portal.presentation import duration_text
from privacy.vocabulary import request_kind_name, request_status_name
from runtime.money import money_text
from service.vocabulary import ticket_status_name
from vault.categories import category_description, kept_sentence
from vault.categories import category_name as _category_name

register = template.Library()


@register.filter
def duration(days) -> str:
    return duration_text(days) if days not in (None, "") else ""


@register.filter
def kept(keeping) -> str:
    """How long a category's records are kept under its policy, in the category's words."""
    if not keeping or not keeping.kept_days:
        return ""
    return kept_sentence(keeping.category, duration_text(keeping.kept_days))


@register.filter
def category_name(code) -> str:
    return _category_name(str(code))


@register.filter
def category_why(code) -> str:
    return category_description(str(code))


@register.filter
def request_kind(code) -> str:
    return request_kind_name(str(code))


@register.filter
def request_status(code) -> str:
    return request_status_name(str(code))


@register.filter
def erasure_status(code) -> str:
    return erasure_status_name(str(code))


@register.filter
def ticket_status(code) -> str:
    return ticket_status_name(str(code))


@register.filter
def money(amount) -> str:
    return money_text(amount)
