"""v1.1: wherever a path takes a customer id, `ext:<external_id>` (URL-encoded) works
too, through api.lookup."""

from urllib.parse import quote

import pytest

from api.lookup import customer_for_path, customer_id_for_path, customer_ids_for_external_ids
from disposal.services import request_erasure

pytestmark = pytest.mark.django_db(databases="__all__")


def ext(external_id: str) -> str:
    return quote(f"ext:{external_id}", safe="")


def test_lookup_resolves_uuids_and_external_ids(make_customer):
    customer = make_customer(external_id="shop 7:x")
    assert customer_id_for_path(str(customer.pk)) == customer.pk
    assert customer_id_for_path("ext:shop 7:x") == customer.pk
    assert customer_for_path("ext:shop 7:x").pk == customer.pk
    assert customer_id_for_path("ext:nobody") is None
    assert customer_id_for_path("ext:") is None
    assert customer_id_for_path("not-a-uuid") is None
    assert customer_ids_for_external_ids(["shop 7:x", " shop 7:x", "nobody", ""]) == {
        "shop 7:x": customer.pk,
        " shop 7:x": customer.pk,  # normalized alike (stripped)
    }


def test_every_customer_path_accepts_an_external_id(client, make_customer):
    customer = make_customer(external_id="shop 7/a")  # a slash cannot travel in a path
    other = make_customer(external_id="shop-8 ü")
    detail = client.get(f"/api/v1/customers/{ext('shop-8 ü')}/")
    assert detail.status_code == 200 and detail.json()["id"] == str(other.pk)
    assert client.get(f"/api/v1/customers/{ext('shop 7/a')}/").status_code == 404
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    for tail in ("consents/", "export/", "recommendations/"):
        response = client.get(f"/api/v1/customers/{ext('shop-8 ü')}/{tail}")
        assert response.status_code == 200, tail
    patched = client.patch(
        f"/api/v1/customers/{ext('shop-8 ü')}/", {"full_name": "Grace"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["full_name"] == "Grace"
    consent = client.post(
        f"/api/v1/customers/{ext('shop-8 ü')}/consents/",
        {"purpose": "marketing_post", "granted": True},
        format="json",
    )
    assert consent.status_code == 201 and consent.json()["marketing_post"]["granted"] is True


def test_unknown_external_ids_are_404_without_echoing_the_id(client):
    response = client.get(f"/api/v1/customers/{ext('secret-shop-id')}/")
    assert response.status_code == 404
    assert "secret-shop-id" not in response.content.decode()


def test_a_customer_being_erased_is_404_by_external_id_too(client, make_customer):
    customer = make_customer(external_id="leaving")
    request_erasure(customer_id=customer.pk, source="api", actor="test")
    assert client.get(f"/api/v1/customers/{ext('leaving')}/").status_code == 404


def test_erasure_by_external_id_then_again_answers_the_same_request(client, make_customer):
    customer = make_customer(external_id="bye")
    first = client.post(f"/api/v1/customers/{ext('bye')}/erasure/")
    assert first.status_code == 202
    again = client.post(f"/api/v1/customers/{ext('bye')}/erasure/")
    by_uuid = client.post(f"/api/v1/customers/{customer.pk}/erasure/")
    for answer in (again, by_uuid):
        assert answer.status_code == 200
        assert answer.json()["id"] == first.json()["id"]
        assert answer["Location"] == first["Location"]


def test_external_ids_in_paths_are_scrubbed_from_log_lines():
    from runtime.scrub import scrub_text

    line = "Not Found: /api/v1/customers/ext:shop-secret-7/consents/ and ext%3Aother"
    scrubbed = scrub_text(line)
    assert "shop-secret-7" not in scrubbed and "other" not in scrubbed
    assert scrubbed.startswith("Not Found: /api/v1/customers/ext:[redacted]/consents/")
