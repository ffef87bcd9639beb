"""Staff session guards: the second factor (below) and the idle timeout.

Idle timeout for dashboard sessions: a dashboard session ends after
DASHBOARD_IDLE_MINUTES without a request (the cookie's expiry slides with each request
too, so a closed browser tab does not keep it alive longer)."""

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


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/dashboard/") and request.user.is_authenticated:
            idle_seconds = settings.DASHBOARD_IDLE_MINUTES * 60
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > idle_seconds:
                logout(request)
                return redirect(f"{reverse('dashboard:login')}?idle=1")
            if last_seen is None or now - last_seen >= TOUCH_SECONDS:
                request.session[LAST_SEEN] = now
                request.session.set_expiry(idle_seconds)
        return self.get_response(request)


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
