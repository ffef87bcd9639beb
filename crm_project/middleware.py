"""Request hygiene for every surface: a NUL byte in a path or query parameter.

PostgreSQL text cannot hold NUL, so a path like /api/v1/products/a%00b/also-bought/
reached the database and came back as a DataError (a 500). No id, sku or parameter of
this project contains NUL: a path with one names nothing (404), a query parameter with
one is malformed (400). Answers under /api/ are JSON, as everything there is.
"""

from django.http import HttpResponse, JsonResponse


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
