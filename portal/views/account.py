"""Close the account: say what goes and what the law keeps, confirm, start the erasure
pipeline, end the session, and show the request's progress and certificate."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation

from audit.actors import CUSTOMER
from disposal.models import ErasureSource, ErasureStatus
from disposal.selectors import certificate_of, erasure_request_get, keeping_by_category
from disposal.services import request_erasure
from portal import sessions
from portal.forms import CloseAccountForm
from portal.presentation import category_label, category_sort_key
from portal.views.base import customer_required

CLOSED = "closed_request"  # the request id, remembered so only its requester sees it


@customer_required
def close_account(request):
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erasure = request_erasure(
            customer_id=request.customer.pk,
            source=ErasureSource.PORTAL,
            actor=CUSTOMER,
            language=translation.get_language() or "",
        )
        sessions.sign_out(request)
        request.portal_session[CLOSED] = str(erasure.pk)
        return redirect("portal:account_closed")
    keeping = sorted(keeping_by_category().items(), key=lambda item: category_sort_key(item[0]))
    return render(
        request,
        "portal/close_account.html",
        {
            "form": form,
            # Everything goes from you; what the law keeps is listed again, with why.
            "erased": [category_label(category) for category, _keeping in keeping],
            "kept": [(category_label(c), k) for c, k in keeping if k.legal_hold],
            "backup_days": settings.KEY_BACKUP_RETENTION_DAYS,
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
