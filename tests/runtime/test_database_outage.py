"""A lost database (the data database or the key store) answers 503 and Retry-After:
JSON under /api/, a calm page elsewhere; never a traceback, never a 500, and the same
words whichever database is gone."""

import json
import os
from contextlib import contextmanager

import pytest
import requests
from django.db import OperationalError, connection, connections
from django.test import Client

from tests.deployed import closed_port, serving

NEW_CUSTOMER = {
    "external_id": "shop-db-1",
    "email": "lost@example.com",
    "consents": {"account": True},
}

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="moving a live connection needs a server database; SQLite test databases live "
    "in memory (the deployed check below covers SQLite too)",
)


@contextmanager
def database_lost(alias: str):
    """Point `alias` at a port where no server listens, as when its server is down."""
    target = connections[alias]
    saved = dict(target.settings_dict)
    target.close()
    target.settings_dict.update(HOST="127.0.0.1", PORT=closed_port())
    try:
        yield
    finally:
        target.close()
        target.settings_dict.clear()
        target.settings_dict.update(saved)


def assert_api_outage(response) -> str:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    detail = response.json()["detail"]
    assert "Traceback" not in detail and "database" not in detail.lower()
    return detail


def assert_page_outage(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body


@postgres_only
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_data_database_lost_api_and_pages_answer_503(reference_data, api_client, django_user_model):
    staff = Client(raise_request_exception=False)
    staff.force_login(django_user_model.objects.create_superuser("ops", password="x" * 20))
    visitor = Client(raise_request_exception=False)
    with database_lost("default"):
        assert_api_outage(api_client.get("/api/v1/purposes/"))
        assert_api_outage(api_client.post("/api/v1/customers/", NEW_CUSTOMER, format="json"))
        # A session read fails inside middleware; the form's write fails in the view.
        assert_page_outage(staff.get("/dashboard/"))
        assert_page_outage(staff.get("/admin/"))
        assert_page_outage(visitor.post("/portal/sign-in/", {"email": "lost@example.com"}))
    # Back: the same client is served again, and nothing was half-written.
    assert api_client.get("/api/v1/purposes/").status_code == 200


@postgres_only
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_key_store_lost_answers_the_same_words_as_the_data_database(reference_data, api_client):
    created = api_client.post("/api/v1/customers/", NEW_CUSTOMER, format="json")
    assert created.status_code == 201, created.json()
    customer_id = created.json()["id"]
    with database_lost("keys"):
        keys_detail = assert_api_outage(api_client.get(f"/api/v1/customers/{customer_id}/"))
    with database_lost("default"):
        data_detail = assert_api_outage(api_client.get(f"/api/v1/customers/{customer_id}/"))
    assert keys_detail == data_detail  # a visitor cannot tell which one failed
    body = api_client.get(f"/api/v1/customers/{customer_id}/").json()
    assert body["email"] == "lost@example.com"  # nothing lost


def test_a_fault_under_api_is_json_not_a_traceback(rf):
    from runtime.outage import server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/api/v1/purposes/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "a bug" not in response.content.decode()


def test_as_deployed_a_closed_database_port_answers_503_json_and_page():
    """gunicorn with DATABASE_URL at a port where nothing listens."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/custodian",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    with serving(env) as served:
        base = served.base
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        ready = requests.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("unavailable")

        api = requests.get(
            f"{base}/api/v1/purposes/", headers={"Authorization": "Api-Key x.y"}, timeout=5
        )
        assert api.status_code == 503
        assert api.headers["Content-Type"] == "application/json"
        assert int(api.headers["Retry-After"]) > 0
        assert "detail" in api.json()

        # A signed-in visitor: reading the session needs the database.
        for path, cookie in (("/admin/", "sessionid"), ("/portal/my-data/", "custodian_portal")):
            page = requests.get(f"{base}{path}", cookies={cookie: "s" * 32}, timeout=5)
            assert page.status_code == 503, path
            assert "Temporarily unavailable" in page.text
            assert "Traceback" not in page.text


def test_the_outage_page_speaks_bahasa_indonesia(rf):
    from django.utils import translation

    from runtime.outage import outage_response

    with translation.override("id"):
        page = outage_response(rf.get("/portal/my-data/"), OperationalError())
        api = outage_response(rf.get("/api/v1/purposes/"), OperationalError())
    assert "Coba lagi" in page.content.decode()
    assert "Layanan untuk sementara tidak tersedia" in json.loads(api.content)["detail"]
