"""The customer's portal session: its own thing, apart from staff sessions.

A separate cookie (path /portal/, HttpOnly, SameSite=Lax, Secure outside DEBUG) names a
session in Django's session store that holds the customer's id and nothing else
personal. It expires after PORTAL_IDLE_MINUTES without a request (the store's expiry
is pushed forward on each request), gets a new key on sign-in (no fixation) and is
flushed on sign-out, so signing out of the portal never touches a staff session.
"""

import time
from importlib import import_module

from django.conf import settings

COOKIE = "custodian_portal"
PREFIX = "/portal/"
CUSTOMER_KEY = "customer_id"
SIGNED_IN_AT = "signed_in_at"  # a timestamp: an undone email change ends older sessions


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


class PortalSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        request.portal_session = _store()(request.COOKIES.get(COOKIE))
        response = self.get_response(request)
        session = request.portal_session
        if session.is_empty():
            if COOKIE in request.COOKIES:
                response.delete_cookie(COOKIE, path=PREFIX, samesite="Lax")
            return response
        idle = settings.PORTAL_IDLE_MINUTES * 60
        session.set_expiry(idle)
        session.save()
        response.set_cookie(
            COOKIE,
            session.session_key,
            max_age=idle,
            path=PREFIX,
            secure=not settings.DEBUG,
            httponly=True,
            samesite="Lax",
        )
        return response


def sign_in(request, customer) -> None:
    session = request.portal_session
    session.cycle_key()
    session.pop("sign_in", None)
    session[CUSTOMER_KEY] = str(customer.pk)
    session[SIGNED_IN_AT] = time.time()


def sign_out(request) -> None:
    request.portal_session.flush()


def signed_in_at(request) -> float | None:
    return request.portal_session.get(SIGNED_IN_AT)


def signed_in_id(request) -> str | None:
    session = getattr(request, "portal_session", None)
    return session.get(CUSTOMER_KEY) if session is not None else None
