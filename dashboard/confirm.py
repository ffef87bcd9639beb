"""Ask before an irreversible action, without JavaScript.

A GET to the action's URL, or a POST that does not carry the `confirm` field, shows a
page that says what will happen, with [Confirm] (a POST back to the same URL carrying
`confirm`) and [Cancel] (a link back). Only the confirmed POST acts, so a stray or
forged-looking submit from an old page changes nothing."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"


def is_confirmed(request: HttpRequest) -> bool:
    """True for the POST sent from the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def ask(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    confirm_label: str,
    cancel_url: str,
    undoable: bool = False,
    facts: list[tuple[str, object]] = (),
    carry: dict[str, str] | None = None,
) -> HttpResponse:
    """The confirmation page: what will happen, [Confirm] [Cancel]. `facts` are shown
    as a list under the consequence (counts, a time); `carry` are the form's values
    posted back with the confirmation (a schedule's time), as hidden fields."""
    context = {
        "facts": facts,
        "carry": sorted((carry or {}).items()),
        "title": title,
        "consequence": consequence,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "undoable": undoable,
        "confirm_field": CONFIRM_FIELD,
    }
    return render(request, "dashboard/confirm.html", context)
