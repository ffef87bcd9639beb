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
