"""The unsubscribe link of marketing messages (RFC 8058). GET shows a confirm page (mail
scanners follow links, and must not unsubscribe anyone); POST withdraws the consent the
signed token names: the page's button, or a mail client's one-click POST of
"List-Unsubscribe=One-Click", which carries no cookie and no CSRF token, hence the
exemption (the signed token is the proof)."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.services import InvalidUnsubscribe, read_unsubscribe, unsubscribe
from consent.models import Purpose
from portal.presentation import purpose_label

TEMPLATE = "portal/unsubscribe.html"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_link(request, token):
    try:
        _customer, purpose = read_unsubscribe(token)
    except InvalidUnsubscribe as error:
        return render(request, TEMPLATE, {"error": error.reason}, status=400)
    label = purpose_label(Purpose.objects.get(pk=purpose))
    if request.method == "POST":
        unsubscribe(token=token)
        return render(request, TEMPLATE, {"done": True, "label": label})
    return render(request, TEMPLATE, {"label": label})
