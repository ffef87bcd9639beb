"""The base of every API view: DRF's APIView plus idempotent POSTs (api/idempotency.py).
New views inherit `ApiView` so that an `Idempotency-Key` works on every POST.

A POST with an `Idempotency-Key` runs in one transaction, from the key's claim to the
stored answer (v1.3, exactly once): the answer exists if and only if the effect does."""

from django.db import transaction
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from api import idempotency

# Query parameters that count (pages, page sizes): a whole number from 1, never empty.
COUNTING = {"page", "limit"}
# Opaque cursors: absent to start, never empty.
CURSORS = {"cursor", "after"}


class ApiView(APIView):
    # False for a POST that only reads (the lookup): replaying it would only replay
    # personal data that may have changed, and running it again is already safe.
    idempotent = True
    # The query parameters the view reads; any other is a 400 naming it (strict input).
    # None: not checked.
    allowed_query: tuple[str, ...] | None = ()
    _pending = None

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and self.idempotent and idempotency.HEADER in request.headers:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        self._pending = None
        super().initial(request, *args, **kwargs)  # key (401), scope (403), rate (429)
        # A method the view lacks is 405 whatever the query says (DRF decides it later).
        served = hasattr(self, request.method.lower())
        if self.allowed_query is not None and served:
            unknown = sorted(set(request.query_params) - set(self.allowed_query))
            if unknown:
                raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
            for name in CURSORS & set(self.allowed_query):
                if "" in request.query_params.getlist(name):
                    raise ValidationError({name: ["A cursor from this API's `next` link."]})
            for name in COUNTING & set(self.allowed_query):
                for value in request.query_params.getlist(name):
                    if not (value.isascii() and value.isdigit() and int(value) > 0):
                        raise ValidationError({name: ["A whole number, 1 or more."]})
        if request.method == "POST" and self.idempotent:
            self._pending = idempotency.begin(request, kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        pending, self._pending = self._pending, None
        if pending is not None:
            idempotency.finish(pending, response)
        return response
