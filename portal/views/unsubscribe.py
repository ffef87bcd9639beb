"""The unsubscribe link of marketing messages (RFC 8058). GET shows a confirm page (mail
scanners follow links, and must not unsubscribe anyone); POST withdraws the consent the
signed token names: the page's button, or a mail client's one-click POST of
"List-Unsubscribe=One-Click", which carries no cookie and no CSRF token, hence the
exemption (the signed token is the proof). A link opened again once the customer no
longer agrees says so ("already unsubscribed") instead of asking again."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.services import InvalidUnsubscribe, read_unsubscribe, unsubscribe
from consent.models import Purpose
from consent.selectors import has_consent
from portal.presentation import purpose_label

TEMPLATE = "portal/unsubscribe.html"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_link(request, token):
    try:
        customer, purpose = read_unsubscribe(token)
    except InvalidUnsubscribe as error:
        return render(request, TEMPLATE, {"error": error.reason}, status=400)
    label = purpose_label(Purpose.objects.get(pk=purpose))
    if not has_consent(customer.pk, purpose):
        return render(request, TEMPLATE, {"already": True, "label": label})
    if request.method == "POST":
        unsubscribe(token=token)
        if has_consent(customer.pk, purpose):
            # The customer agreed again after this message: an old link does not undo it.
            return render(request, TEMPLATE, {"stale": True, "label": label})
        return render(request, TEMPLATE, {"done": True, "label": label})
    return render(request, TEMPLATE, {"label": label})
