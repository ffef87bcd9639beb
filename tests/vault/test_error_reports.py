"""Vault errors never show key material, never a traceback, and never sink a whole
export: debug pages hide the vault's frames (DEBUG on too), the API answers 503 JSON,
pages a calm translated 503, and an export names the one row it could not read."""

import base64
import html
import logging
import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter, technical_500_response

from customers.models import Interaction, InteractionChannel
from customers.services import record_interaction
from vault import keys
from vault.fields import Sealed
from vault.keyring import master_keys

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    from api.models import Scope, StorefrontKey

    _, key = StorefrontKey.objects.create_key(name="shop", scopes=list(Scope.values))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


CLEANSED = "********************"


def _frames(request, info) -> list[dict]:
    return ExceptionReporter(request, *info).get_traceback_frames()


def _key_forms(key: bytes) -> list[str]:
    text = repr(key)
    return [text, html.escape(text), key.hex(), base64.urlsafe_b64encode(key).decode()]


def test_a_debug_page_from_inside_the_vault_shows_no_master_key(settings, customer, monkeypatch):
    settings.DEBUG = True
    master = master_keys()[0][1]

    def broken(*args, **kwargs):
        raise RuntimeError("a bug deep in the vault")

    monkeypatch.setattr(keys.ciphers, "open_sealed", broken)
    request = RequestFactory().get("/admin/")
    try:
        with keys.key_scope():
            keys.data_cipher(customer.pk)
    except RuntimeError:
        kind, error, traceback = sys.exc_info()
    # From the vault down: this test's own frame holds `master` to compare against.
    info = (kind, error, traceback.tb_next)
    frames = {frame["function"]: dict(frame["vars"]) for frame in _frames(request, info)}
    assert __file__ not in {frame["filename"] for frame in _frames(request, info)[:-1]}
    assert frames["_unwrap"]["master"] == CLEANSED  # the vault's frames are there...
    for variables in frames.values():
        for value in variables.values():
            assert repr(master) not in repr(value)  # ...and no frame shows the key
    page = technical_500_response(request, *info).content.decode()
    for form in _key_forms(master):
        assert form not in page


@pytest.fixture
def master_key_dropped(settings, customer):
    """VAULT_MASTER_KEYS lost the key that wraps the customer's data key."""
    settings.VAULT_MASTER_KEYS = [base64.urlsafe_b64encode(b"\x07" * 32).decode()]
    return customer


@pytest.mark.parametrize("debug", [True, False])
def test_the_api_answers_503_json_when_a_master_key_is_missing(
    api_client, master_key_dropped, settings, debug, caplog
):
    settings.DEBUG = debug
    with caplog.at_level(logging.ERROR, logger="vault"):
        response = api_client.get(f"/api/v1/customers/{master_key_dropped.pk}/")
    assert response.status_code == 503
    assert "vault unavailable" in response.json()["detail"]
    assert "MasterKeyUnavailable" in caplog.text


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_answers_a_calm_503_when_a_master_key_is_missing(
    admin_client, master_key_dropped, settings, debug
):
    settings.DEBUG = debug
    response = admin_client.get(f"/admin/customers/customer/{master_key_dropped.pk}/change/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert "Traceback" not in body and "MasterKeyUnavailable" not in body


def test_the_calm_page_speaks_bahasa_indonesia(admin_client, master_key_dropped):
    response = admin_client.get(
        f"/admin/customers/customer/{master_key_dropped.pk}/change/",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 503
    assert "Untuk sementara tidak tersedia" in response.content.decode()


def test_one_tampered_row_is_named_in_the_export_and_the_rest_is_exported(
    api_client, customer, caplog
):
    kept, tampered = (
        record_interaction(
            customer=customer, channel=InteractionChannel.EMAIL, note=note, actor="staff:1"
        )
        for note in ("Kept note.", "Tampered note.")
    )
    raw = bytearray(Interaction.objects.filter(pk=tampered.pk).values_list("note", flat=True)[0])
    raw[-1] ^= 0x01
    Interaction.objects.filter(pk=tampered.pk).update(note=Sealed(bytes(raw)))
    with caplog.at_level(logging.ERROR, logger="disposal.exports"):
        response = api_client.get(f"/api/v1/customers/{customer.pk}/export/")
    assert response.status_code == 200
    body = response.json()
    notes = {
        row["id"]: row["note"]
        for row in body["categories"]["interactions"]["records"]["customers.interaction"]
    }
    assert notes == {kept.pk: "Kept note.", tampered.pk: None}
    assert body["errors"] == [
        {
            "table": "customers.interaction",
            "id": tampered.pk,
            "field": "note",
            "error": body["errors"][0]["error"],
        }
    ]
    assert f"customers.interaction row {tampered.pk}" in caplog.text
    assert "Tampered" not in caplog.text


def test_an_export_with_nothing_wrong_has_no_errors(api_client, customer):
    assert api_client.get(f"/api/v1/customers/{customer.pk}/export/").json()["errors"] == []
