"""OpenAPI pieces that drf-spectacular cannot infer: the API-key security scheme, the
error shapes shared by every endpoint, and the rules the shared machinery enforces
(v1.3: the schema states what the code refuses):

- a request body of a `StrictSerializer` refuses unknown fields: `additionalProperties:
  false`;
- a list serializer's `min_length` / `max_length` become `minItems` / `maxItems`;
- `page` and `limit` are whole numbers from 1 (`ApiView`), cursors are never empty;
- every 400 admits the field-error map (`{"Idempotency-Key": [...]}`, `{"foo":
  ["Unknown query parameter."]}`), whatever else the operation's 400 may be;
- an idempotent POST documents 409 (running), 410 (its customer erased) and 422 (key
  reused), and the `Idempotent-Replayed` header of a replay.

They apply to every view built on `ApiView` and its strict serializers, including views
added later."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc, is_list_serializer
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from api.strict import StrictSerializer
from api.views.base import COUNTING, CURSORS


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


class StrictSerializerScheme(OpenApiSerializerExtension):
    """A strict request body states that it refuses fields it does not declare."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if schema.get("description") == get_doc(StrictSerializer):
            del schema["description"]  # the base class's docstring says nothing to clients
        if direction == "request" and schema.get("type") == "object":
            schema["additionalProperties"] = False
        return schema


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, stating the bounds of list bodies."""

    def _unwrap_list_serializer(self, serializer, direction):
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema is not None and is_list_serializer(serializer):
            minimum = getattr(serializer, "min_length", None)
            if minimum is None and not getattr(serializer, "allow_empty", True):
                minimum = 1
            if minimum is not None:
                schema["minItems"] = minimum
            if getattr(serializer, "max_length", None) is not None:
                schema["maxItems"] = serializer.max_length
        return schema


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
    "410": "A replay of an Idempotency-Key whose answer named a customer since erased: "
    "nothing was done.",
    "422": "This Idempotency-Key was used with a different request.",
}
REPLAYED_HEADER = {
    "description": "`true` on an answer replayed for a repeated Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}
FIELD_ERRORS_REF = {"$ref": "#/components/schemas/FieldErrors"}
# Query parameters ApiView checks the same way on every operation.
COUNTING_BOUNDS = {"minimum": 1}
CURSOR_BOUNDS = {"minLength": 1}
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


def _admit(response: dict, ref: dict) -> None:
    """Make a documented answer's schema admit the shared error shape `ref` too."""
    content = response.setdefault("content", _json(ref))
    media = content.setdefault("application/json", {"schema": ref})
    schema = media.get("schema", ref)
    if schema in (ref, FieldErrors, FIELD_ERRORS_REF) or ref in schema.get("anyOf", []):
        return
    if FIELD_ERRORS_REF in schema.get("anyOf", []) or FieldErrors in schema.get("anyOf", []):
        return  # the field-error map admits {"detail": "..."} as well
    media["schema"] = {"anyOf": [schema, ref]}


def _bound_query(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schema = parameter.setdefault("schema", {"type": "string"})
        if parameter["name"] in COUNTING and schema.get("type") == "integer":
            for name, value in COUNTING_BOUNDS.items():
                schema.setdefault(name, value)
        if parameter["name"] in CURSORS:
            schema.update(CURSOR_BOUNDS)


def postprocess(result, generator, request, public):
    """drf-spectacular hook: the answers and headers every operation shares (v1.1, v1.3).

    Every operation documents 401, 403, 429, 500 and 503; one with a path parameter 404;
    one with a body 400, 413 and 415; a POST the Idempotency-Key header and its 409, 410
    and 422, and the Idempotent-Replayed header. Every 400 admits the field-error map.
    Every response documents the RateLimit-* headers, and a 429 its Retry-After. A 405
    (a method the path does not have) is a JSON `{"detail"}` with `Allow`, described in
    the API's info, since OpenAPI has no operation to hang it on."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Detail",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    components.setdefault("FieldErrors", FieldErrors)
    rate_headers = {name: _header(text) for name, text in RATE_LIMIT_HEADERS.items()}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            _bound_query(operation)
            extra = dict(SHARED)
            if "{" in path:
                extra["404"] = "No such object."
            if any(p.get("name") == "page" for p in operation.get("parameters", [])):
                extra["404"] = "No such page."
            if "requestBody" in operation:
                extra.update(WITH_BODY)
            idempotent = method == "post" and path != "/api/v1/customers/lookup/"
            if idempotent:
                extra.update(IDEMPOTENT)
                parameters = operation.setdefault("parameters", [])
                if all(p.get("name") != IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY)
            for code, description in extra.items():
                if code not in responses:
                    schema = {"413": TOO_LARGE, "400": FIELD_ERRORS_REF}.get(code, DETAIL_REF)
                    responses[code] = {"description": description, "content": _json(schema)}
                elif code == "400":
                    _admit(responses[code], FIELD_ERRORS_REF)
                elif code in IDEMPOTENT and idempotent:
                    _admit(responses[code], DETAIL_REF)
            for code, response in responses.items():
                headers = response.setdefault("headers", {})
                headers.update(rate_headers)
                if idempotent:
                    headers["Idempotent-Replayed"] = REPLAYED_HEADER
                if code == "429":
                    headers["Retry-After"] = _header("Seconds to wait before retrying.")
    return result
