"""Idle timeout for dashboard sessions: a dashboard session ends after
DASHBOARD_IDLE_MINUTES without a request (the cookie's expiry slides with each request
too, so a closed browser tab does not keep it alive longer)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

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
