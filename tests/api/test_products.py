"""Product reads: the catalogue by cursor, one product by sku."""

import pytest

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_catalogue_is_listed_in_sku_order_page_by_page(client, make_product):
    for sku in ("C-3", "A-1", "B-2", "D/4"):
        make_product(sku=sku, name=f"Product {sku}", category="books", price="2.50")
    first = client.get("/api/v1/products/?limit=3")
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"next", "previous", "results"} and body["previous"] is None
    assert [item["sku"] for item in body["results"]] == ["A-1", "B-2", "C-3"]
    assert set(body["results"][0]) == {
        "sku", "name", "category", "price", "created_at", "updated_at"
    }  # fmt: skip
    assert body["results"][0]["price"] == "2.50" and body["results"][0]["name"] == "Product A-1"
    second = client.get(body["next"]).json()
    assert [item["sku"] for item in second["results"]] == ["D/4"] and second["next"] is None


def test_a_product_is_read_by_its_sku_even_with_a_slash(client, make_product):
    make_product(sku="D/4", name="Slashed", category="toys", price="1.00")
    response = client.get("/api/v1/products/D/4/")
    assert response.status_code == 200
    assert response.json()["name"] == "Slashed" and response.json()["category"] == "toys"


def test_unknown_skus_and_bad_cursors_are_answered_plainly(client):
    assert client.get("/api/v1/products/NOPE/").status_code == 404
    response = client.get("/api/v1/products/?cursor=garbage")
    assert response.status_code == 400 and list(response.json()) == ["cursor"]


def test_product_reads_need_the_purchases_scope(make_client, make_product):
    make_product(sku="A-1")
    reader = make_client(scopes=["customers"])
    assert reader.get("/api/v1/products/").status_code == 403
    assert reader.get("/api/v1/products/A-1/").status_code == 403
    assert make_client(scopes=["purchases"]).get("/api/v1/products/A-1/").status_code == 200


def test_the_upsert_still_answers_on_the_list_path(client):
    body = {"sku": "N-1", "name": "New", "category": "books", "price": "3.00"}
    assert client.post("/api/v1/products/", body, format="json").status_code == 201
    assert client.get("/api/v1/products/N-1/").json()["price"] == "3.00"
