import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from api.authentication import ApiKeyRateThrottle
from api.models import StorefrontKey

pytestmark = pytest.mark.django_db(databases="__all__")


def test_no_key_is_401_with_the_scheme_named():
    response = APIClient().get("/api/v1/purposes/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_bad_or_revoked_key_is_401(client):
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert bad.get("/api/v1/purposes/").status_code == 401
    call_command("revoke_api_key", "shop", stdout=io.StringIO())
    assert client.get("/api/v1/purposes/").status_code == 401


def test_a_key_without_the_scope_is_403(make_client):
    client = make_client(scopes=["purchases"])
    response = client.get("/api/v1/purposes/")
    assert response.status_code == 403
    assert "consents" in response.json()["detail"]
    assert client.post("/api/v1/customers/", {}, format="json").status_code == 403


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash():
    out = io.StringIO()
    call_command(
        "create_api_key", "web", "--scopes", "customers,consents", stdout=out, stderr=io.StringIO()
    )
    key = out.getvalue().strip().splitlines()[-1]
    stored = StorefrontKey.objects.get(name="web")
    assert stored.scopes == ["consents", "customers"]
    assert key not in str(vars(stored))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/purposes/").status_code == 200


def test_create_api_key_refuses_unknown_scopes_and_duplicate_names():
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_key", "web", "--scopes", "everything")
    call_command(
        "create_api_key", "web", "--scopes", "all", stdout=io.StringIO(), stderr=io.StringIO()
    )
    with pytest.raises(CommandError, match="exists"):
        call_command("create_api_key", "web", "--scopes", "customers")
    with pytest.raises(CommandError, match="No active API key"):
        call_command("revoke_api_key", "nobody")


def test_each_key_is_throttled_with_429_and_retry_after(make_client, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    cache.clear()
    client, other = make_client(name="a"), make_client(name="b")
    assert [client.get("/api/v1/purposes/").status_code for _ in range(2)] == [200, 200]
    limited = client.get("/api/v1/purposes/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert other.get("/api/v1/purposes/").status_code == 200
    cache.clear()


def test_the_throttle_counts_per_window_in_one_cache_key_per_key(make_client, monkeypatch):
    """A fixed window per key: the quota comes back when the window ends, and the
    counter key expires with it (no list of request times kept)."""
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    cache.clear()
    now = [60 * 16_667 + 20.0]  # 20 s into a minute
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", lambda self: now[0])
    client = make_client()
    assert [client.get("/api/v1/purposes/").status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get("/api/v1/purposes/")
    assert limited["Retry-After"] == "40" and limited["RateLimit-Reset"] == "40"
    now[0] += 40  # the next window
    fresh = client.get("/api/v1/purposes/")
    assert fresh.status_code == 200 and fresh["RateLimit-Remaining"] == "1"
    cache.clear()
