import pytest
from rest_framework.test import APIClient

from api.models import Scope, StorefrontKey
from crm_project.celery import app as celery_app

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a Redis that is down


def _reset_broker_pools() -> None:
    # Celery caches its connection and producer pools; drop them so the next send
    # connects to whatever broker_url now says.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Celery hands jobs to a broker that is unreachable, as when Redis is down."""
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = CLOSED
    celery_app.conf.task_always_eager = False
    _reset_broker_pools()

    def restore(eager: bool = previous[1]) -> None:
        celery_app.conf.broker_url = previous[0]
        celery_app.conf.task_always_eager = eager
        _reset_broker_pools()

    yield restore
    restore()


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED}
    }


@pytest.fixture
def api_client():
    _, key = StorefrontKey.objects.create_key(name="shop", scopes=list(Scope.values))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client
