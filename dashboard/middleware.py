"""Staff session guards: the second factor (below) and the idle timeout.

Idle timeout for dashboard sessions: a dashboard session ends after
DASHBOARD_IDLE_MINUTES without a request (the cookie's expiry slides with each request
too, so a closed browser tab does not keep it alive longer).

Because the session cookie expires in the browser at the same moment, the next request
usually arrives without a session at all, and nothing would say why the person was
signed out. So each noted activity also writes a small signed cookie (ACTIVE_COOKIE:
the time of the last activity, nothing about the person) that outlives the session;
a request without a session but with a stale marker is sent to the sign-in page with
the reason (`?idle=1`), and the marker is deleted."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from access.policy import needs_second_factor
from dashboard.two_factor import has_second_factor

LAST_SEEN = "dashboard_last_seen"
# The session is written at most this often to note activity (a page and its images
# are one burst), so the timeout is exact to within a minute.
TOUCH_SECONDS = 60
ACTIVE_COOKIE = "dashboard_active"
ACTIVE_SALT = "dashboard.idle-marker"
PATH = "/dashboard/"


def forget_activity(response) -> None:
    """Signing out on purpose leaves no marker behind (no "signed out for inactivity")."""
    response.delete_cookie(ACTIVE_COOKIE, path=PATH)


def _note_activity(response, now: int) -> None:
    response.set_signed_cookie(
        ACTIVE_COOKIE,
        str(now),
        salt=ACTIVE_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        path=PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _to_sign_in_for_idleness(request):
    login = reverse("dashboard:login")
    target = request.get_full_path() if request.path != login else ""
    query = {"idle": "1", **({"next": target} if target and target != PATH else {})}
    response = redirect(f"{login}?{urlencode(query)}")
    forget_activity(response)
    return response


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PATH):
            return self.get_response(request)
        idle_seconds = settings.DASHBOARD_IDLE_MINUTES * 60
        now = int(time.time())
        if not request.user.is_authenticated:
            if request.method == "GET" and not request.GET.get("idle"):
                marker = request.get_signed_cookie(ACTIVE_COOKIE, default="", salt=ACTIVE_SALT)
                if marker.isdigit() and now - int(marker) >= idle_seconds:
                    return _to_sign_in_for_idleness(request)
            return self.get_response(request)
        last_seen = request.session.get(LAST_SEEN)
        if last_seen is not None and now - last_seen > idle_seconds:
            logout(request)
            return _to_sign_in_for_idleness(request)
        touched = last_seen is None or now - last_seen >= TOUCH_SECONDS
        if touched:
            request.session[LAST_SEEN] = now
            request.session.set_expiry(idle_seconds)
        response = self.get_response(request)
        if touched and request.user.is_authenticated:
            _note_activity(response, now)
        return response


class SecondFactorMiddleware:
    """With OTP_REQUIRED, a user who needs a second factor (access.policy) and signed in
    with a password only reaches the dashboard's enrolment or code page, and sign-out,
    on the dashboard and the admin site alike; anything else redirects there and comes
    back afterwards. django-otp's OTPMiddleware (before this one) says whether this
    session proved a device."""

    OPEN_NAMES = ("login", "logout", "two_factor_enrol", "two_factor_verify")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OTP_REQUIRED and self._guarded(request.path):
            user = request.user
            if user.is_authenticated and needs_second_factor(user) and not user.is_verified():
                open_paths = {reverse(f"dashboard:{name}") for name in self.OPEN_NAMES}
                if request.path not in open_paths:
                    step = "verify" if has_second_factor(user) else "enrol"
                    target = reverse(f"dashboard:two_factor_{step}")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _guarded(path: str) -> bool:
        return path.startswith(("/dashboard/", f"/{settings.ADMIN_URL}"))
