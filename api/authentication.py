"""Who is calling (API key, 401 when missing or bad), what they may do (scope, 403) and
how often (per-key throttle, 429 with Retry-After)."""

import logging
import math

from redis.exceptions import RedisError
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework_api_key.permissions import KeyParser

from api.models import StorefrontKey
from runtime.metrics import THROTTLE_FAIL_OPEN

logger = logging.getLogger(__name__)
# What a cache backend raises when its server is down or unreachable.
CACHE_ERRORS = (RedisError, ConnectionError, TimeoutError)


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
    """Per-key rate limit in the cache: a counter per fixed window (API_RATE_LIMIT, e.g.
    1200/min), counted with one atomic INCR. DRF's SimpleRateThrottle keeps a list of
    every request's time in the window and reads and writes it whole on each request:
    two round trips and a list as long as the quota; profiling showed it a fifth of a
    control request's time. A cache outage must not become a storefront outage: the
    throttle then fails open, with a warning in the log."""

    scope = "api_key"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        reset = max(1, math.ceil((window + 1) * self.duration - self.now))
        try:
            count = self._count(f"{self.key}:{window}")
        except CACHE_ERRORS as error:
            logger.warning(
                "throttle: cache unavailable (%s); request allowed", type(error).__name__
            )
            THROTTLE_FAIL_OPEN.inc()
            return True
        # For the RateLimit-* headers (api.middleware): the quota, what is left of it,
        # and the seconds until the window ends.
        request._request.api_rate_limit = (
            self.num_requests,
            max(0, self.num_requests - count),
            reset,
        )
        self.wait_seconds = reset
        return count <= self.num_requests

    def wait(self) -> float:
        return self.wait_seconds

    def _count(self, key: str) -> int:
        """This request's number in the window: one round trip on Redis (INCR and the
        window key's expiry, pipelined); add-then-incr on other caches."""
        redis_cache = getattr(self.cache, "_cache", None)
        if hasattr(redis_cache, "get_client"):
            key = self.cache.make_and_validate_key(key)
            pipeline = redis_cache.get_client(key, write=True).pipeline(transaction=False)
            pipeline.incr(key)
            pipeline.expire(key, self.duration + 1)  # the key names its window
            return pipeline.execute()[0]
        self.cache.add(key, 0, self.duration + 1)
        return self.cache.incr(key)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, StorefrontKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


def rate_limit_policy() -> tuple[int, int]:
    """(requests, seconds) of the per-key rate limit (API_RATE_LIMIT)."""
    rate = ApiKeyRateThrottle.THROTTLE_RATES[ApiKeyRateThrottle.scope]
    return throttling.SimpleRateThrottle.parse_rate(None, rate)
