"""Template filters for lists in sentences, for every surface: `join_words` writes
["A", "B", "C"] as "A, B and C" ("A, B dan C" in Bahasa Indonesia)."""

from django import template
from django.utils.text import get_text_list
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def join_words(items) -> str:
    """`{{ names|join_words }}`: the items as a person lists them, in the active
    language ("Trowel and Gloves"); empty for an empty list."""
    words = [str(item) for item in items or []]
    return get_text_list(words, pgettext("the last link of a list: A, B and C", "and"))
