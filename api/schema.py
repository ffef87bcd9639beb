"""OpenAPI pieces that drf-spectacular cannot infer: the API-key security scheme and
the error shapes shared by every endpoint."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`, as printed once by `manage.py create_api_key`.",
        }


Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
# {"field_name": ["message", ...], ...} or {"detail": "message"}: keys are open-ended;
# a field holding a map (consents) has its errors keyed by the map's keys.
FieldErrors = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        ]
    },
    "example": {"email": ["Enter a valid email address."]},
}
BatchErrors = inline_serializer(
    "BatchErrors",
    {
        "detail": serializers.CharField(),
        "items": serializers.DictField(
            required=False,
            child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            help_text="Field errors of each invalid line, keyed by its index in the request.",
        ),
    },
)

COMMON_ERRORS = {
    401: OpenApiResponse(Detail, description="Missing, invalid or revoked API key."),
    403: OpenApiResponse(Detail, description="The key lacks the endpoint's scope."),
    429: OpenApiResponse(Detail, description="Too many requests; see Retry-After."),
}
BAD_REQUEST = {400: OpenApiResponse(FieldErrors, description="Invalid fields or malformed JSON.")}
NOT_FOUND = {404: OpenApiResponse(Detail, description="No such object.")}
CONFLICT = OpenApiResponse(
    FieldErrors, description="Another customer has this email or external_id."
)


RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed per window for this API key.",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the oldest counted request leaves the window.",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique token (a UUID): a repeat of this POST with the same key "
    "within 24 hours gets the first answer again, with `Idempotent-Replayed: true`. The "
    "same key with another request is 422; while the first still runs, 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
# Answers every operation may give, whatever its own responses say.
SHARED = {
    "400": "An unknown or invalid query parameter (named).",
    "401": "Missing, invalid or revoked API key.",
    "403": "The key lacks the endpoint's scope.",
    "429": "Too many requests for this key; see `Retry-After`.",
    "500": "An unexpected fault (JSON; the operators have been told).",
    "503": "Personal data cannot be read right now (vault or database unavailable).",
}
WITH_BODY = {
    "400": "Invalid fields (named), unknown fields, or malformed JSON.",
    "413": "The body is larger than the limit; `limit` names it in bytes.",
    "415": "The body is not JSON (`Content-Type: application/json`).",
}
IDEMPOTENT = {
    "400": "Invalid fields, or an Idempotency-Key that is not 1 to 255 printable characters.",
    "409": "A request with this Idempotency-Key is still running; retry later.",
    "422": "This Idempotency-Key was used with a different request.",
}
DETAIL_REF = {"$ref": "#/components/schemas/Detail"}
TOO_LARGE = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "limit": {"type": "integer"}},
    "required": ["detail", "limit"],
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _header(description: str) -> dict:
    return {"description": description, "schema": {"type": "integer", "minimum": 0}}


def postprocess(result, generator, request, public):
    """drf-spectacular hook: the answers and headers every operation shares (v1.1).

    Every operation documents 401, 403, 429, 500 and 503; one with a path parameter 404;
    one with a body 400, 413 and 415; a POST the Idempotency-Key header and its 409/422.
    Every response documents the RateLimit-* headers, and a 429 its Retry-After. A 405
    (a method the path does not have) is a JSON `{"detail"}` with `Allow`, described in
    the API's info, since OpenAPI has no operation to hang it on."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Detail",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    rate_headers = {name: _header(text) for name, text in RATE_LIMIT_HEADERS.items()}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            extra = dict(SHARED)
            if "{" in path:
                extra["404"] = "No such object."
            if any(p.get("name") == "page" for p in operation.get("parameters", [])):
                extra["404"] = "No such page."
            if "requestBody" in operation:
                extra.update(WITH_BODY)
            if method == "post" and path != "/api/v1/customers/lookup/":
                extra.update(IDEMPOTENT)
                parameters = operation.setdefault("parameters", [])
                if all(p.get("name") != IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY)
            for code, description in extra.items():
                if code not in responses:
                    schema = TOO_LARGE if code == "413" else DETAIL_REF
                    responses[code] = {"description": description, "content": _json(schema)}
            for code, response in responses.items():
                headers = response.setdefault("headers", {})
                headers.update(rate_headers)
                if code == "429":
                    headers["Retry-After"] = _header("Seconds to wait before retrying.")
    return result
