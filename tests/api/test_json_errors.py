"""v1.1: everything under /api/ answers JSON, for every status and whatever DEBUG says;
a path without its trailing slash is served, never a 500; bodies over the limit are 413
naming the limit; every answer carries the RateLimit-* headers."""

import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api import parsers
from api.authentication import ApiKeyRateThrottle
from customers.models import Customer
from vault.exceptions import VaultError

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {"external_id": "shop-1", "email": "ada@example.com", "consents": {"account": True}}


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_json(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    return body


def test_unknown_api_urls_are_json_404s(client, debug):
    for url in ("/api/nope/", "/api/v1/customers/a/b/c/", "/api/v2/customers/", "/api/x"):
        assert_json(client.get(url), 404)
    assert_json(APIClient().post("/api/v9/", {}, format="json"), 404)


def test_a_wrong_method_is_a_json_405_with_allow(client, debug):
    response = client.delete("/api/v1/customers/")
    assert_json(response, 405)
    assert "POST" in response["Allow"]


def test_a_body_over_the_limit_is_a_json_413_naming_the_limit(client, settings, debug):
    settings.API_MAX_BODY_BYTES = 1000
    body = {**NEW, "full_name": "x" * 2000}
    response = client.post("/api/v1/customers/", body, format="json")
    assert assert_json(response, 413)["limit"] == 1000
    assert "1000 bytes" in response.json()["detail"]
    assert not Customer.objects.exists()
    # Also before any authentication, and for a URL that does not exist.
    assert_json(APIClient().post("/api/v9/", body, format="json"), 413)


def test_the_parser_enforces_the_limit_on_a_stream_too(settings):
    settings.API_MAX_BODY_BYTES = 10
    with pytest.raises(parsers.PayloadTooLarge):
        parsers.BoundedJSONParser().parse(io.BytesIO(b'{"a": "0123456789"}'))
    assert parsers.BoundedJSONParser().parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}


def test_an_unsupported_media_type_is_a_json_415(client, debug):
    response = client.generic("POST", "/api/v1/customers/", "a=b", content_type="text/plain")
    assert_json(response, 415)


def test_too_many_requests_is_a_json_429_with_retry_after(make_client, monkeypatch, debug):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    cache.clear()
    client = make_client()
    first = client.get("/api/v1/purposes/")
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("2", "1")
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    assert client.get("/api/v1/purposes/")["RateLimit-Remaining"] == "0"
    limited = client.get("/api/v1/purposes/")
    assert_json(limited, 429)
    assert int(limited["Retry-After"]) > 0
    assert (limited["RateLimit-Limit"], limited["RateLimit-Remaining"]) == ("2", "0")
    assert 0 < int(limited["RateLimit-Reset"]) <= 60


def test_every_api_answer_carries_the_rate_limit_headers(client):
    answers = [
        client.get("/api/v1/purposes/"),
        client.get("/api/v1/customers/ext:nobody/"),
        client.post("/api/v1/customers/", {}, format="json"),
        APIClient().get("/api/v1/purposes/"),  # 401
        client.get("/api/nope/"),
        client.get("/api/schema/"),
    ]
    for response in answers:
        assert int(response["RateLimit-Limit"]) == 1200
        assert 0 <= int(response["RateLimit-Remaining"]) <= 1200
        assert int(response["RateLimit-Reset"]) >= 0
    assert answers[0]["RateLimit-Remaining"] == "1199"
    assert "RateLimit-Limit" not in client.get("/healthz")


def test_an_unhandled_fault_is_a_json_500_without_a_traceback(client, monkeypatch, debug):
    def broken():
        raise RuntimeError("forced fault")

    monkeypatch.setattr("api.views.consents.current_notices", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/purposes/")
    body = assert_json(response, 500)
    assert "forced fault" not in response.content.decode()
    assert "Traceback" not in body["detail"]


def test_an_unavailable_vault_is_a_json_503(client, monkeypatch, debug):
    def unavailable():
        raise VaultError("master key missing")

    monkeypatch.setattr("api.views.consents.current_notices", unavailable)
    assert_json(client.get("/api/v1/purposes/"), 503)


def test_a_bad_host_is_a_json_400(client, settings, debug):
    settings.ALLOWED_HOSTS = ["example.org"]
    assert_json(client.get("/api/v1/purposes/", HTTP_HOST="evil.example"), 400)


def test_a_path_without_its_trailing_slash_is_served_as_with_it(client, debug):
    created = client.post("/api/v1/customers", NEW, format="json")
    assert created.status_code == 201
    customer_id = created.json()["id"]
    assert client.get(f"/api/v1/customers/{customer_id}").json()["id"] == customer_id
    assert client.get("/api/v1/customers/ext:shop-1").status_code == 200
    assert client.get("/api/v1/purposes").status_code == 200
    # Still nothing there: a JSON 404, never a redirect or a 500.
    assert_json(client.post("/api/v1/nothing", NEW, format="json"), 404)
