"""Close the account: say what goes and what the law keeps, confirm, start the erasure
pipeline, end the session, and show the request's progress and certificate."""

from django.http import Http404
from django.shortcuts import redirect, render

from audit.actors import CUSTOMER
from disposal.models import ErasureSource, ErasureStatus
from disposal.selectors import certificate_of, erasure_request_get, keeping_by_category
from disposal.services import request_erasure
from portal import sessions
from portal.forms import CloseAccountForm
from portal.presentation import category_label
from portal.views.base import customer_required

CLOSED = "closed_request"  # the request id, remembered so only its requester sees it


@customer_required
def close_account(request):
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erasure = request_erasure(
            customer_id=request.customer.pk, source=ErasureSource.PORTAL, actor=CUSTOMER
        )
        sessions.sign_out(request)
        request.portal_session[CLOSED] = str(erasure.pk)
        return redirect("portal:account_closed")
    keeping = keeping_by_category()
    return render(
        request,
        "portal/close_account.html",
        {
            "form": form,
            "erased": [
                (category_label(c), k) for c, k in sorted(keeping.items()) if not k.legal_hold
            ],
            "kept": [(category_label(c), k) for c, k in sorted(keeping.items()) if k.legal_hold],
        },
    )


def account_closed(request):
    erasure = erasure_request_get(request.portal_session.get(CLOSED, ""))
    if erasure is None:
        raise Http404
    certificate = certificate_of(erasure) if erasure.status == ErasureStatus.DONE else None
    return render(
        request,
        "portal/account_closed.html",
        {
            "erasure": erasure,
            "certificate": certificate,
            "in_progress": erasure.status in (ErasureStatus.PENDING, ErasureStatus.RUNNING),
        },
    )
