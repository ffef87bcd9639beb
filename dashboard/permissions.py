"""How dashboard views ask access.policy: one decorator per view, no rules here."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from access.policy import Action, may
from access.roles import roles_of


def staff_required(action: Action | None = None):
    """Signed-in staff with a role (and, when given, allowed `action`); others get the
    sign-in page or a plain 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles_of(request.user) or (action and not may(request.user, action)):
                return render(request, "dashboard/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
