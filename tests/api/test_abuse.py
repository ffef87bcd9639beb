"""Issue 16, item 3, on the API: every endpoint with someone else's or nobody's id, with a
key lacking its scope and with no key; mass assignment; oversized and malformed bodies;
NUL bytes, lone surrogates, right-to-left text and emoji in every text field; SQL- and
HTML-looking values stored as data.

"Another customer" on this API: customers belong to the business, not to one storefront
key (one record per customer across the shops, API_CONTRACT.md), so a key with the
`customers` scope may read any live customer. What a key must never reach is a customer
that does not exist, was erased, or is being erased (404, never a 500, never data), nor
an endpoint outside its scopes (403)."""

import json
import uuid

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

from customers.models import Customer
from disposal.models import ErasureRequest, ErasureSource
from disposal.services import request_erasure

pytestmark = pytest.mark.django_db(databases="__all__")

# Every endpoint that names a customer: (url name, method, body, scope).
PER_CUSTOMER = [
    ("customer-detail", "get", None, "customers"),
    ("customer-detail", "patch", {"full_name": "X"}, "customers"),
    ("customer-consents", "get", None, "consents"),
    ("customer-consents", "post", {"purpose": "analytics", "granted": True}, "consents"),
    ("customer-export", "get", None, "privacy"),
    ("customer-erasure", "post", {}, "privacy"),
    ("customer-interactions", "get", None, "customers"),
    ("customer-disclosures", "post", {"processor": "x", "categories": []}, "privacy"),
    ("customer-recommendations", "get", None, "recommendations"),
]
# Endpoints that name no customer in their path: (url name, kwargs, method, body, scope).
OTHERS = [
    ("customer-list", {}, "post", {"email": "a@example.com"}, "customers"),
    ("customer-list", {}, "get", None, "customers"),
    ("customer-lookup", {}, "post", {"email": "a@example.com"}, "customers"),
    ("product-upsert", {}, "post", {"sku": "S"}, "purchases"),
    ("purchase-create", {}, "post", [], "purchases"),
    ("return-create", {}, "post", {"order_id": "o", "sku": "S"}, "purchases"),
    ("product-detail", {"sku": "S"}, "get", None, "purchases"),
    ("change-feed", {}, "get", None, "customers"),
    ("processor-list", {}, "get", None, "privacy"),
    ("purpose-list", {}, "get", None, "consents"),
    ("erasure-request-detail", {"request_id": str(uuid.uuid4())}, "get", None, "privacy"),
    ("product-also-bought", {"sku": "S"}, "get", None, "recommendations"),
    ("lead-list", {}, "post", {"email": "a@example.com"}, "leads"),
    ("lead-detail", {"lead_id": str(uuid.uuid4())}, "get", None, "leads"),
    ("lead-detail", {"lead_id": str(uuid.uuid4())}, "patch", {"status": "contacted"}, "leads"),
]
PUBLIC = {"schema", "docs"}


def api_names() -> set[str]:
    resolver = get_resolver()
    api = resolver.namespace_dict["api"][1]
    return {p.name for p in api.url_patterns if isinstance(p, URLPattern)}


def test_the_matrix_covers_every_api_endpoint():
    """A new endpoint fails here until it is added to the matrix below."""
    covered = {name for name, *_ in PER_CUSTOMER} | {name for name, *_ in OTHERS} | PUBLIC
    assert api_names() - covered == set()


def call(client: APIClient, name: str, method: str, body, **kwargs):
    from django.urls import reverse

    url = reverse(f"api:{name}", kwargs=kwargs)
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


@pytest.fixture
def erased_customer(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="staff:1")
    assert ErasureRequest.objects.get().status == "done"
    return customer.pk


IDS = {
    "nobody": lambda: str(uuid.uuid4()),
    "not-an-id": lambda: "1 OR 1=1",
    "unknown external id": lambda: "ext:nobody-here",
}


@pytest.mark.parametrize(("name", "method", "body", "scope"), PER_CUSTOMER)
@pytest.mark.parametrize("who", IDS)
def test_every_customer_endpoint_answers_404_for_an_id_that_is_no_customer(
    client, name, method, body, scope, who
):
    before = Customer.objects.count()
    response = call(client, name, method, body, customer_id=IDS[who]())
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/json")
    assert Customer.objects.count() == before and not ErasureRequest.objects.exists()


@pytest.mark.parametrize(("name", "method", "body", "scope"), PER_CUSTOMER)
def test_every_customer_endpoint_answers_404_for_an_erased_customer(
    client, erased_customer, name, method, body, scope
):
    response = call(client, name, method, body, customer_id=str(erased_customer))
    if name == "customer-erasure":  # asking again finds the finished request (contract)
        assert response.status_code == 200 and response.json()["status"] == "done"
        return
    assert response.status_code == 404, response.content


@pytest.mark.parametrize(("name", "method", "body", "scope"), PER_CUSTOMER)
def test_a_key_without_the_scope_is_refused_and_changes_nothing(
    make_client, customer, name, method, body, scope
):
    others = [s for s in ("customers", "purchases", "consents", "recommendations", "privacy")]
    client = make_client(scopes=[s for s in others if s != scope], name="narrow")
    response = call(client, name, method, body, customer_id=str(customer.pk))
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.full_name != "X" and not ErasureRequest.objects.exists()


@pytest.mark.parametrize(("name", "kwargs", "method", "body", "scope"), OTHERS)
def test_every_other_endpoint_needs_its_scope(make_client, name, kwargs, method, body, scope):
    client = make_client(scopes=[s for s in ("customers", "privacy") if s != scope] or ["consents"])
    assert call(client, name, method, body, **kwargs).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "body"),
    [(n, m, b) for n, m, b, _s in PER_CUSTOMER] + [(n, m, b) for n, _k, m, b, _s in OTHERS[:6]],
)
def test_no_key_or_a_forged_key_is_401(customer, name, method, body):
    for credentials in ({}, {"HTTP_AUTHORIZATION": "Api-Key forged.0000000000000000"}):
        client = APIClient()
        client.credentials(**credentials)
        kwargs = {"customer_id": str(customer.pk)} if name.startswith("customer-") else {}
        if name in ("customer-list", "customer-lookup"):
            kwargs = {}
        assert call(client, name, method, body, **kwargs).status_code == 401


# Mass assignment ---------------------------------------------------------------------

NOT_WRITABLE = {
    "id": str(uuid.uuid4()),
    "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
    "email_index": "00",
    "erased": True,
    "consents": {"marketing_email": True},
}


@pytest.mark.parametrize("field", NOT_WRITABLE)
def test_patch_never_writes_a_field_it_does_not_offer(client, customer, field):
    before = Customer.objects.filter(pk=customer.pk).values().get()
    response = client.patch(
        f"/api/v1/customers/{customer.pk}/", {field: NOT_WRITABLE[field]}, format="json"
    )
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert field in json.dumps(response.json())
    after = Customer.objects.filter(pk=customer.pk).values().get()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    from consent.selectors import current_consents

    assert not current_consents(customer.pk)["marketing_email"].granted


def test_a_create_cannot_choose_its_id_or_timestamps(client):
    chosen = str(uuid.uuid4())
    body = {
        "external_id": "shop-m",
        "email": "m@example.com",
        "full_name": "M",
        "consents": {"account": True},
        "id": chosen,
        "created_at": "2001-01-01T00:00:00Z",
    }
    response = client.post("/api/v1/customers/", body, format="json")
    assert response.status_code in (201, 400)
    assert not Customer.objects.filter(pk=chosen).exists()
    if response.status_code == 201:
        assert not response.json()["created_at"].startswith("2001")


def test_a_consent_post_cannot_claim_another_source_or_notice(client, customer):
    from consent.models import ConsentEvent

    body = {"purpose": "analytics", "granted": True, "source": "staff", "actor": "staff:1"}
    response = client.post(f"/api/v1/customers/{customer.pk}/consents/", body, format="json")
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        event = ConsentEvent.objects.filter(customer=customer).latest("pk")
        assert event.source == "api" and event.actor == client.api_key.actor


# Bodies ------------------------------------------------------------------------------


def test_an_oversized_body_is_refused_without_a_500(client, settings):
    body = json.dumps({"email": "a@example.com", "full_name": "x" * (3 * 1024 * 1024)})
    response = client.generic("POST", "/api/v1/customers/", body, "application/json")
    assert response.status_code in (400, 413)
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"email": }', b"\xff\xfe", b"[1, 2", b'{"a": NaN}', b"null", b'"just a string"'],
)
def test_malformed_json_is_a_400(client, raw):
    response = client.generic("POST", "/api/v1/customers/", raw, "application/json")
    assert response.status_code == 400
    assert not Customer.objects.exists()


# Text in every text field ------------------------------------------------------------

RTL = "\u202eאבג مرحبا\u202c"
EMOJI = "Zoë 👩🏽‍💻🏳️‍🌈"
SQLISH = "Robert'); DROP TABLE customers_customer;--"
HTMLISH = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NUL = "a\x00b"
LONE_SURROGATE = '"a\\ud800b"'  # as it arrives in JSON text

CUSTOMER_TEXT_FIELDS = ["external_id", "full_name", "postal_address"]


def new_customer(**overrides) -> dict:
    body = {
        "external_id": f"shop-{uuid.uuid4().hex[:8]}",
        "email": f"{uuid.uuid4().hex[:8]}@example.com",
        "full_name": "Test Person",
        "consents": {"account": True},
    }
    return {**body, **overrides}


@pytest.mark.parametrize("field", CUSTOMER_TEXT_FIELDS)
@pytest.mark.parametrize(
    "value", [RTL, EMOJI, SQLISH, HTMLISH], ids=["rtl", "emoji", "sql", "html"]
)
def test_unusual_but_valid_text_is_stored_as_given(client, field, value):
    response = client.post("/api/v1/customers/", new_customer(**{field: value}), format="json")
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert getattr(customer, field) == value
    assert client.get(f"/api/v1/customers/{customer.pk}/").json()[field] == value
    assert Customer.objects.count() == 1  # the "DROP TABLE" did nothing


@pytest.mark.parametrize("field", [*CUSTOMER_TEXT_FIELDS, "email", "phone"])
@pytest.mark.parametrize("how", ["nul", "lone surrogate"])
def test_nul_bytes_and_lone_surrogates_are_field_errors_in_every_customer_field(client, field, how):
    body = json.dumps(new_customer(**{field: "PLACEHOLDER"}))
    value = json.dumps(NUL) if how == "nul" else LONE_SURROGATE
    body = body.replace('"PLACEHOLDER"', value)
    response = client.generic("POST", "/api/v1/customers/", body, "application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Customer.objects.exists()


@pytest.mark.parametrize("field", ["email", "full_name", "phone", "postal_address"])
@pytest.mark.parametrize("how", ["nul", "lone surrogate"])
def test_a_patch_with_nul_or_lone_surrogate_is_a_field_error_and_keeps_the_data(
    client, customer, field, how
):
    before = getattr(customer, field)
    value = json.dumps(NUL) if how == "nul" else LONE_SURROGATE
    body = f'{{"{field}": {value}}}'
    response = client.generic(
        "PATCH", f"/api/v1/customers/{customer.pk}/", body, "application/json"
    )
    assert response.status_code == 400, response.content
    customer.refresh_from_db()
    assert getattr(customer, field) == before


@pytest.mark.parametrize("field", ["sku", "name", "category"])
@pytest.mark.parametrize("how", ["nul", "lone surrogate", "rtl", "emoji"])
def test_product_text_fields(client, field, how):
    body = {"sku": "SKU-1", "name": "Tea", "category": "kitchen", "price": "1.00"}
    raw = json.dumps({**body, field: "PLACEHOLDER"})
    value = {
        "nul": json.dumps(NUL),
        "lone surrogate": LONE_SURROGATE,
        "rtl": json.dumps(RTL),
        "emoji": json.dumps(EMOJI),
    }[how]
    raw = raw.replace('"PLACEHOLDER"', value)
    response = client.generic("POST", "/api/v1/products/", raw, "application/json")
    if how in ("rtl", "emoji") and field == "category":  # a slug: a field message
        assert response.status_code == 400 and "category" in response.json()
    elif how in ("rtl", "emoji"):
        assert response.status_code == 201, response.content
        assert response.json()[field] == {"rtl": RTL, "emoji": EMOJI}[how]
    else:
        assert response.status_code == 400, response.content


@pytest.mark.parametrize("field", ["order_id", "sku"])
@pytest.mark.parametrize("how", ["nul", "lone surrogate"])
def test_purchase_text_fields(client, customer, make_product, field, how):
    make_product(sku="BK-1")
    line = {
        "customer": str(customer.pk),
        "order_id": "o-1",
        "sku": "BK-1",
        "quantity": 1,
        "unit_price": "1.00",
        "purchased_at": "2026-11-20T10:00:00Z",
    }
    raw = json.dumps([{**line, field: "PLACEHOLDER"}])
    raw = raw.replace('"PLACEHOLDER"', json.dumps(NUL) if how == "nul" else LONE_SURROGATE)
    response = client.generic("POST", "/api/v1/purchases/", raw, "application/json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "body", ['{"email": "a\\ud800@example.com"}', '{"external_id": "\\udfff"}']
)
def test_a_lookup_with_a_lone_surrogate_is_a_400(client, body):
    response = client.generic("POST", "/api/v1/customers/lookup/", body, "application/json")
    assert response.status_code == 400


def test_sql_looking_lookups_find_nobody_and_break_nothing(client, customer):
    for body in ({"email": "' OR '1'='1"}, {"external_id": "x' OR 1=1 --"}):
        response = client.post("/api/v1/customers/lookup/", body, format="json")
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.json()["count"] == 0
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "patch"])
@pytest.mark.parametrize("lead_id", [str(uuid.uuid4()), "1 OR 1=1"])
def test_a_lead_that_does_not_exist_is_a_404(client, method, lead_id):
    body = {"status": "contacted"} if method == "patch" else None
    response = call(client, "lead-detail", method, body, lead_id=lead_id)
    assert response.status_code == 404
