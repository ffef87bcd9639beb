"""Plain words for the customer's choice history."""

from django import template

from portal.presentation import choice_origin as _choice_origin

register = template.Library()


@register.filter
def choice_origin(event) -> str:
    return _choice_origin(event)
