import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.models import Scope, StorefrontKey


@pytest.fixture
def make_client():
    def make(scopes=tuple(Scope.values), name="shop") -> APIClient:
        api_key, key = StorefrontKey.objects.create_key(name=name, scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        client.api_key = api_key
        return client

    return make


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()
