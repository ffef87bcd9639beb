"""Everything under /api/ answers JSON, whatever goes wrong and wherever (v1.1).

First in MIDDLEWARE, so it sees every request and response of the API:
- a body over API_MAX_BODY_BYTES is refused before anything reads it: 413
  `{"detail", "limit"}` (the parser enforces the same limit on bodies sent without a
  Content-Length);
- the trailing slash is optional: `/api/v1/customers` is served as `/api/v1/customers/`
  (same method, same body; no redirect, so no client drops a POST body or its key);
- an exception no view handled becomes 500 `{"detail"}` (logged without the path's
  external ids), never Django's HTML page, whether DEBUG is on or off;
- any other non-JSON error (404 of an unknown URL, 405, 400 from Django itself...)
  becomes `{"detail": "<reason>."}` with the same status and headers;
- every response carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
  (api.authentication.ApiKeyRateThrottle counts; a request it did not count, such as
  one without a valid key, shows the full quota).
"""

import logging
import re

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import JsonResponse
from django.urls import is_valid_path

from api.authentication import rate_limit_policy

API_PREFIX = "/api/"
logger = logging.getLogger("django.request")
# Headers of an error response that still mean something once its body is JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Location")
EXTERNAL_REF = re.compile(r"ext:[^/]*")


def too_large(limit: int) -> JsonResponse:
    return JsonResponse(
        {
            "detail": f"The request body is larger than the limit of {limit} bytes.",
            "limit": limit,
        },
        status=413,
    )


def loggable_path(path: str) -> str:
    """The path with any `ext:<external_id>` masked: external ids are personal data."""
    return EXTERNAL_REF.sub("ext:…", path)


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith("application/json") or "+json" in content_type


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        response = self._body_too_large(request)
        if response is None:
            self._optional_slash(request)
            response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            response = self._as_json(response)
        self._rate_limit_headers(request, response)
        return response

    def process_exception(self, request, exception):
        if not request.path_info.startswith(API_PREFIX):
            return None
        # As Django's own handler does: error reporting (Sentry) and the test client
        # listen for this signal.
        got_request_exception.send(sender=None, request=request)
        logger.error(
            "Internal Server Error: %s %s (%s)",
            request.method,
            loggable_path(request.path),
            type(exception).__name__,
            exc_info=(type(exception), exception, exception.__traceback__),
            extra={"status_code": 500},
        )
        return JsonResponse(
            {"detail": "Internal server error; the operators have been told."}, status=500
        )

    @staticmethod
    def _body_too_large(request):
        limit = settings.API_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
        return too_large(limit) if length > limit else None

    @staticmethod
    def _optional_slash(request) -> None:
        path = request.path_info
        if path.endswith("/"):
            return
        urlconf = getattr(request, "urlconf", None)
        if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
            request.path_info = f"{path}/"
            request.path = f"{request.path}/"

    @staticmethod
    def _as_json(response) -> JsonResponse:
        reason = response.reason_phrase or "Error"
        answer = JsonResponse({"detail": f"{reason}."}, status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        return answer

    @staticmethod
    def _rate_limit_headers(request, response) -> None:
        limit, remaining, reset = getattr(request, "api_rate_limit", None) or (
            rate_limit_policy()[0],
            rate_limit_policy()[0],
            0,
        )
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(remaining)
        response["RateLimit-Reset"] = str(reset)
