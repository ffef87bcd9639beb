"""Template filters for the portal's words: `duration` turns a count of days into the
unit a person uses ("6 years"), through portal.presentation.duration_text."""

from django import template

from portal.presentation import duration_text

register = template.Library()


@register.filter
def duration(days) -> str:
    return duration_text(days) if days not in (None, "") else ""
