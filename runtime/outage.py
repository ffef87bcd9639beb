"""A lost database is an outage, not a bug: users get a calm 503, never a traceback.

When the data database or the key store cannot be reached (the connection is refused,
drops, or a statement is cancelled), Django raises OperationalError or InterfaceError.
Under /api/ the answer is 503 JSON in the API's error shape; everywhere else a
translatable page; both carry Retry-After. The message is the same for either database,
so a visitor learns nothing about how the system is built; the log names the class and
the path (ids, no data) for the operator.

Exceptions raised by a view reach `DatabaseOutageMiddleware.process_exception` (with
DEBUG on or off); those raised inside another middleware (loading a session, say) reach
Django's 500 handler, `server_error` below, which gives the same answers.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("runtime")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def outage_response(request, exception: Exception):
    logger.error(
        "Database unavailable (%s) on %s %s",
        type(exception).__name__,
        request.method,
        request.path_info,
    )
    if is_api(request):
        response = JsonResponse(
            {
                "detail": _(
                    "The service is temporarily unavailable. Nothing you sent before this "
                    "was lost; please try again shortly."
                )
            },
            status=503,
        )
    else:
        # No context processors: they may read the database that is gone.
        page = render_to_string("service_unavailable.html", {"retry_path": request.path})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return outage_response(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: an outage answered as one; any other fault as JSON under /api/ or
    Django's plain 500 page, never a traceback."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return outage_response(request, exception)
    if is_api(request):
        return JsonResponse(
            {"detail": _("Something went wrong on our side; it has been logged.")}, status=500
        )
    return django_server_error(request, template_name)
