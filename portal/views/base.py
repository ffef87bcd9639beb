"""What every signed-in portal page shares: the signed-in, live customer, and the one
audit event a page that shows personal data writes."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from audit.actors import CUSTOMER
from audit.models import AuditAction
from audit.services import record_access
from consent.selectors import notices_to_review
from disposal.selectors import live_customer
from portal import sessions
from portal.email_undo import session_is_cut_off

# The client, for rate limits only (stored as a keyed digest, never in clear); the one
# function every per-client limit asks, PROXY_COUNT-aware.
from runtime.clients import client_address as client_address


def customer_required(view):
    """Run the view with request.customer set, or send the visitor to sign in. A
    customer being erased is signed out at once."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer_id = sessions.signed_in_id(request)
        customer = live_customer(customer_id) if customer_id else None
        if customer is not None and session_is_cut_off(customer.pk, sessions.signed_in_at(request)):
            customer = None
        if customer is None:
            if customer_id:
                sessions.sign_out(request)
            messages.info(request, _("Please sign in to continue."))
            return redirect("portal:sign_in")
        request.customer = customer
        request.notices_to_review = notices_to_review(customer.pk)
        return view(request, *args, **kwargs)

    return wrapper


def record_page_view(customer, page: str) -> None:
    """One audit event per page that showed the customer their personal data."""
    record_access(
        actor=CUSTOMER,
        action=AuditAction.PORTAL_VIEWED,
        subject_id=customer.pk,
        object_type=f"portal.{page}",
        purpose="access_request",
    )
