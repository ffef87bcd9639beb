"""Who is calling (API key, 401 when missing or bad), what they may do (scope, 403) and
how often (per-key throttle, 429 with Retry-After)."""

from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework_api_key.permissions import KeyParser

from api.models import StorefrontKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = KeyParser.keyword

    def authenticate(self, request):
        key = KeyParser().get(request)
        if key is None:
            return None
        try:
            api_key = StorefrontKey.objects.get_from_key(key)
        except StorefrontKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        return (None, api_key)

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasScope(permissions.BasePermission):
    """The key must hold the view's `required_scope`."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, StorefrontKey):
            raise exceptions.NotAuthenticated("Send your key as `Authorization: Api-Key <key>`.")
        scope = getattr(view, "required_scope", None)
        if scope and not request.auth.allows(scope):
            self.message = f"This API key lacks the `{scope}` scope."
            return False
        return True


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, StorefrontKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
