"""Request hygiene for every surface: a NUL byte in a path or query parameter, and no
copy of a page with personal data kept by a cache.

PostgreSQL text cannot hold NUL, so a path like /api/v1/products/a%00b/also-bought/
reached the database and came back as a DataError (a 500). No id, sku or parameter of
this project contains NUL: a path with one names nothing (404), a query parameter with
one is malformed (400). Answers under /api/ are JSON, as everything there is.
"""

from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers


def _answer(request, status: int, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            return _answer(request, 404, "Not found.")
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return _answer(request, 400, "A query parameter contains a NUL character.")
        return self.get_response(request)


# Surfaces (URL namespaces) whose pages show personal data: the customer's portal, the
# staff dashboard (customer pages, reveals, exports, desks) and the lead confirmations.
# The admin marks its own views never_cache; the API answers machines and says its own.
NO_STORE_SURFACES = frozenset({"portal", "dashboard", "leads"})


class NoStoreForPersonalPagesMiddleware:
    """Every answer of a surface that shows personal data carries
    `Cache-Control: no-store`, so no browser, shared computer's disk or proxy keeps a
    copy (the back button after sign-out shows nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._surface(request) in NO_STORE_SURFACES:
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _surface(request) -> str:
        match = getattr(request, "resolver_match", None)
        if match is None:
            # Answered before the URL was resolved (a sign-in or second-factor redirect).
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return ""
        return match.namespaces[0] if match.namespaces else ""
