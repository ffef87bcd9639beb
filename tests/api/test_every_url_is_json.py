"""Issue 18: every /api/ error is JSON. Enumerates the API's URL conf, so an endpoint
added later is covered without touching this test."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db(databases="__all__")
METHODS = ("get", "post", "put", "patch", "delete")


def _api_patterns():
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    stack = [(api, "")]
    while stack:
        resolver, prefix = stack.pop()
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                stack.append((pattern, prefix + str(pattern.pattern)))
            elif isinstance(pattern, URLPattern):
                yield pattern


def api_urls() -> list[str]:
    urls = []
    for pattern in _api_patterns():
        kwargs = {name: str(uuid.uuid4()) for name in pattern.pattern.converters}
        urls.append(reverse(f"api:{pattern.name}", kwargs=kwargs))
    return sorted(urls)


def test_the_enumeration_finds_the_api():
    urls = api_urls()
    assert "/api/v1/customers/" in urls and "/api/v1/returns/" in urls
    assert len(urls) >= 14


def _assert_json(response, url, method):
    assert response["Content-Type"].startswith("application/json"), (method, url)
    body = response.json()
    assert isinstance(body, (dict, list)), (method, url)
    if response.status_code >= 400:
        assert isinstance(body, dict) and body, (method, url, response.status_code)
    assert "RateLimit-Limit" in response, (method, url)


@pytest.mark.parametrize("keyed", [False, True], ids=["no-key", "key"])
def test_every_api_url_answers_json_for_every_method_with_and_without_its_slash(make_client, keyed):
    client = make_client() if keyed else APIClient()
    for url in api_urls():
        if url == "/api/docs/":
            continue  # the Swagger UI page itself is HTML (its errors are not)
        for path in (url, url.rstrip("/")):
            for method in METHODS:
                response = getattr(client, method)(path, {"unknown": 1}, format="json")
                assert response.status_code < 500, (method, path)
                if response.status_code >= 400 or path.startswith("/api/v1/"):
                    _assert_json(response, path, method)


def test_every_api_url_answers_a_fault_with_json(make_client, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("forced fault")

    monkeypatch.setattr(APIView, "initial", broken)
    client = make_client()
    client.raise_request_exception = False
    for url in api_urls():
        response = client.get(url)
        assert response.status_code == 500, url
        _assert_json(response, url, "get")
        assert "forced fault" not in response.content.decode()
