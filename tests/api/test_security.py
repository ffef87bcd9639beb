"""The API side of the v1.2 security review (../shared/API_CONTRACT.md, "v1.2 security
changes"): scopes, audited reads, lookups without personal data in URLs, bounded JSON,
NUL bytes, and the keys' stored scopes."""

import io
import json
import uuid

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from api.admin import StorefrontKeyForm
from api.models import Scope, StorefrontKey
from api.parsers import MAX_DEPTH, nesting_depth
from audit.models import AuditEvent
from consent.models import ConsentEvent
from disposal.models import ErasureRequest

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {
    "external_id": "shop-9",
    "email": "grace@example.com",
    "full_name": "Grace Hopper",
    "consents": {"account": True},
}


# Finding 2 -------------------------------------------------------------------------


def test_withdrawing_account_needs_the_privacy_scope_as_well_as_consents(make_client, customer):
    client = make_client(scopes=["consents"], name="consents-only")
    url = f"/api/v1/customers/{customer.pk}/consents/"
    response = client.post(url, {"purpose": "account", "granted": False}, format="json")
    assert response.status_code == 403
    assert "`privacy`" in response.json()["detail"]
    assert not ErasureRequest.objects.exists()
    assert not ConsentEvent.objects.filter(customer=customer, granted=False).exists()
    # Other purposes still need only `consents`.
    other = client.post(url, {"purpose": "analytics", "granted": False}, format="json")
    assert other.status_code == 201


def test_a_key_with_consents_and_privacy_may_withdraw_account(
    make_client, customer, django_capture_on_commit_callbacks
):
    client = make_client(scopes=["consents", "privacy"], name="both")
    url = f"/api/v1/customers/{customer.pk}/consents/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"purpose": "account", "granted": False}, format="json")
    assert response.status_code == 201
    assert ErasureRequest.objects.count() == 1


# Finding 1 -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"full_name": "Same Name"}, {"full_name": "New Name"}])
def test_every_patch_answer_is_an_audited_read(client, make_customer, body):
    customer = make_customer(full_name="Same Name")
    before = AuditEvent.objects.filter(action="customer.viewed", subject_id=customer.pk).count()
    response = client.patch(f"/api/v1/customers/{customer.pk}/", body, format="json")
    assert response.status_code == 200 and response.json()["email"] == customer.email
    reads = AuditEvent.objects.filter(action="customer.viewed", subject_id=customer.pk)
    assert reads.count() == before + 1
    assert reads.first().actor == client.api_key.actor


def test_the_create_answer_is_an_audited_read_too(client):
    created = client.post("/api/v1/customers/", NEW, format="json").json()
    assert AuditEvent.objects.filter(action="customer.viewed", subject_id=created["id"]).exists()


# Finding 3 -------------------------------------------------------------------------


def test_lookup_by_post_keeps_the_email_out_of_the_url(client):
    created = client.post("/api/v1/customers/", NEW, format="json").json()
    response = client.post(
        "/api/v1/customers/lookup/", {"email": "GRACE@example.com"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1 and body["results"][0]["id"] == created["id"]
    by_external = client.post(
        "/api/v1/customers/lookup/", {"external_id": "shop-9"}, format="json"
    ).json()
    assert by_external["results"][0]["id"] == created["id"]
    nobody = client.post("/api/v1/customers/lookup/", {"email": "x@example.com"}, format="json")
    assert nobody.json()["count"] == 0
    assert AuditEvent.objects.filter(action="customer.viewed", subject_id=created["id"]).count()


@pytest.mark.parametrize(
    "body", [{}, {"email": "a@example.com", "external_id": "x"}, ["a@example.com"]]
)
def test_lookup_by_post_takes_exactly_one_of_email_or_external_id(client, body):
    response = client.post("/api/v1/customers/lookup/", body, format="json")
    assert response.status_code == 400 and "detail" in response.json()


def test_the_get_lookup_still_works_but_says_it_is_deprecated(client):
    client.post("/api/v1/customers/", NEW, format="json")
    response = client.get("/api/v1/customers/", {"email": "grace@example.com"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert response["Deprecation"].startswith("@")
    assert "/api/v1/customers/lookup/" in response["Link"]


# Finding 8 -------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(client, depth):
    body = '{"consents": ' + "[" * depth + "]" * depth + "}"
    response = client.generic("POST", "/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_ordinary_nesting_is_still_accepted(client):
    response = client.post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 201


def _nested(depth: int):
    value = 1
    for level in range(depth):
        value = [value] if level % 2 else {"key": value}
    return value


@pytest.mark.parametrize("depth", [0, 1, 2, 5, MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_depth_counts_lists_and_objects_only(depth):
    assert nesting_depth(_nested(depth)) == depth
    # Scalars beside the deepest branch change nothing; a wider shallow branch neither.
    # Past MAX_DEPTH the walk stops: the answer is then only "too deep".
    wrapped = nesting_depth([_nested(depth), "text", 3, None, [{"a": 1}]])
    if depth + 1 <= MAX_DEPTH:
        assert wrapped == max(depth + 1, 3)
    else:
        assert wrapped > MAX_DEPTH


def test_a_batch_of_flat_lines_is_two_deep():
    assert nesting_depth([{"sku": "BK-1", "quantity": 1} for _ in range(500)]) == 2


# Finding 9 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/BK%001/also-bought/",
        "/api/v1/customers/%00/",
        "/api/v1/customers/ab%00cd/consents/",
        "/api/v1/erasure-requests/%00/",
    ],
)
def test_a_nul_byte_in_a_path_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "query",
    ["limit=1%00", "email=a%00@example.com", "external_id=%00", "page=%00", "x%00=1"],
)
def test_a_nul_byte_in_a_query_parameter_is_a_400(client, customer, query):
    for path in (
        f"/api/v1/customers/?{query}",
        f"/api/v1/customers/{customer.pk}/recommendations/?{query}",
        f"/api/v1/products/BK-1/also-bought/?{query}",
    ):
        response = client.get(path)
        assert response.status_code == 400, path


def test_a_nul_byte_outside_the_api_is_a_404_too():
    assert APIClient().get("/admin/%00/").status_code == 404


def test_a_nul_byte_is_turned_away_before_anything_reads_it(django_assert_num_queries):
    # No key, no query: the path is refused before authentication or any database use.
    with django_assert_num_queries(0):
        response = APIClient().get("/api/v1/products/BK%001/also-bought/")
    assert response.status_code == 404


def test_nul_bytes_in_json_strings_are_field_errors(client, make_product):
    make_product(sku="BK-1")
    product = client.post(
        "/api/v1/products/",
        {"sku": "A\x00B", "name": "n", "category": "books", "price": "1.00"},
        format="json",
    )
    assert product.status_code == 400 and "sku" in product.json()


# Findings 10 and 14 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "scopes", ["customers,privacy", {"privacy": True}, ["privacy", 3], ["everything"]]
)
def test_stored_scopes_must_be_a_list_of_known_names(scopes):
    with pytest.raises(ValidationError):
        StorefrontKey.objects.create_key(name="bad", scopes=scopes)
    key = StorefrontKey(name="bad", scopes=scopes)
    with pytest.raises(ValidationError):
        key.full_clean(exclude=["id", "prefix", "hashed_key"])
    with pytest.raises(ValidationError):
        key.save()


def test_a_key_whose_stored_scopes_are_not_a_list_allows_nothing():
    key = StorefrontKey(name="legacy", scopes="customers,privacy")
    assert not key.allows("privacy") and not key.allows("customers")
    assert not StorefrontKey(name="legacy", scopes={"privacy": 1}).allows("privacy")
    assert StorefrontKey(name="good", scopes=["privacy"]).allows("privacy")


def test_the_admin_form_offers_only_the_known_scopes():
    form = StorefrontKeyForm(data={"name": "web", "scopes": ["customers", "everything"]})
    assert not form.is_valid() and "scopes" in form.errors
    form = StorefrontKeyForm(data={"name": "web", "scopes": ["customers", "privacy"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scopes"] == ["customers", "privacy"]
    assert isinstance(site._registry[StorefrontKey].form(), StorefrontKeyForm)


def test_the_scopes_migration_turns_old_rows_into_lists_of_known_names():
    from importlib import import_module

    migration = import_module("api.migrations.0002_storefrontkey_scopes_are_a_list_of_known_names")
    assert migration.scopes_as_known_names("customers, privacy") == ["customers", "privacy"]
    assert migration.scopes_as_known_names({"privacy": True}) == []
    assert migration.scopes_as_known_names(["consents", 3, "nope"]) == ["consents"]


def test_create_api_key_requires_scopes_and_all_means_every_scope():
    with pytest.raises(CommandError, match="--scopes"):
        call_command("create_api_key", "web", stdout=io.StringIO(), stderr=io.StringIO())
    assert not StorefrontKey.objects.exists()
    with pytest.raises(CommandError):
        call_command("create_api_key", "web", "--scopes", "all,privacy", stdout=io.StringIO())
    call_command(
        "create_api_key", "web", "--scopes", "all", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert StorefrontKey.objects.get(name="web").scopes == sorted(Scope.values)


# Finding 5 -------------------------------------------------------------------------

SURFACES = [
    ("get", "/api/v1/customers/{id}/", None),
    ("patch", "/api/v1/customers/{id}/", {"full_name": "X"}),
    ("get", "/api/v1/customers/{id}/consents/", None),
    ("post", "/api/v1/customers/{id}/consents/", {"purpose": "analytics", "granted": True}),
    ("get", "/api/v1/customers/{id}/export/", None),
    ("get", "/api/v1/customers/{id}/recommendations/", None),
]


@pytest.fixture
def being_erased(customer):
    """A customer whose erasure was asked for and has not run (the worker is behind, or
    the run failed and waits for an operator)."""
    from disposal.models import ErasureSource
    from disposal.services import request_erasure

    # Not on commit: the run never starts, as when the worker is down.
    request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="staff:1")
    return customer


@pytest.mark.parametrize(("method", "path", "body"), SURFACES)
@pytest.mark.parametrize("status", ["pending", "failed"])
def test_every_endpoint_treats_a_customer_being_erased_as_gone(
    client, being_erased, method, path, body, status
):
    ErasureRequest.objects.update(status=status)
    ledger = ConsentEvent.objects.count()
    url = path.format(id=being_erased.pk)
    response = getattr(client, method)(url, body, format="json") if body else client.get(url)
    assert response.status_code == 404
    assert ConsentEvent.objects.count() == ledger


@pytest.mark.parametrize(("method", "path", "body"), SURFACES)
def test_every_endpoint_treats_a_customer_whose_key_is_destroyed_as_gone(
    client, customer, method, path, body
):
    from vault.services import destroy_key

    destroy_key(subject_id=customer.pk)
    url = path.format(id=customer.pk)
    response = getattr(client, method)(url, body, format="json") if body else client.get(url)
    assert response.status_code == 404


def test_purchases_for_a_customer_being_erased_are_refused(client, being_erased, make_product):
    make_product(sku="BK-1")
    line = {
        "customer": str(being_erased.pk),
        "order_id": "o-1",
        "sku": "BK-1",
        "quantity": 1,
        "unit_price": "1.00",
        "purchased_at": "2026-11-20T10:00:00Z",
    }
    response = client.post("/api/v1/purchases/", [line], format="json")
    assert response.status_code == 400
    assert "customer" in response.json()["items"]["0"]


def test_a_customer_being_erased_is_not_found_by_lookup(client, being_erased):
    response = client.post(
        "/api/v1/customers/lookup/", {"email": being_erased.email}, format="json"
    )
    assert response.json()["count"] == 0


def test_asking_for_erasure_again_finds_the_first_request(client, being_erased):
    first = ErasureRequest.objects.get()
    again = client.post(f"/api/v1/customers/{being_erased.pk}/erasure/")
    assert again.status_code == 200 and again.json()["id"] == str(first.pk)
    assert json.loads(again.content)["status"] == "pending"
    assert client.post(f"/api/v1/customers/{uuid.uuid4()}/erasure/").status_code == 404


def test_asking_for_erasure_after_it_is_done_finds_the_done_request(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/v1/customers/{customer.pk}/erasure/").json()
    request = ErasureRequest.objects.get(pk=first["id"])
    assert request.status == "done" and request.subject_id is None
    again = client.post(f"/api/v1/customers/{customer.pk}/erasure/")
    assert again.status_code == 200
    assert again.json() == {"id": first["id"], "status": "done"}


def test_the_consent_service_refuses_a_customer_being_erased(being_erased):
    from consent.services import set_consent

    with pytest.raises(ValidationError) as refused:
        set_consent(
            customer=being_erased, purpose="analytics", granted=True, source="api", actor="a"
        )
    assert "customer" in refused.value.message_dict
