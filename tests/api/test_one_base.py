"""Issue 32, item 1: every API operation is built on the shared base (api/views/base.py)
and keeps its rules: strict types, unknown query parameters refused, Idempotency-Key.
Walks the URL configuration, so a view added later is covered without touching this."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.views.base import ApiView
from customers.models import Customer, Interaction, Product, Purchase
from leads.models import Lead, LeadConsent
from leads.rights import erase_lead

pytestmark = pytest.mark.django_db(databases="__all__")

# Documentation of the API, not operations on it: no key, no body, GET only.
DOCUMENTATION = {"schema", "docs"}


def _api_patterns() -> list[URLPattern]:
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    found, stack = [], [api]
    while stack:
        for pattern in stack.pop().url_patterns:
            if isinstance(pattern, URLResolver):
                stack.append(pattern)
            elif isinstance(pattern, URLPattern):
                found.append(pattern)
    return found


def _view_class(pattern: URLPattern):
    return getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)


def test_every_api_view_is_built_on_the_shared_base():
    patterns = [p for p in _api_patterns() if p.name not in DOCUMENTATION]
    assert len(patterns) >= 20
    off_base = sorted(p.name for p in patterns if not issubclass(_view_class(p), ApiView))
    assert off_base == []
    unchecked = sorted(p.name for p in patterns if _view_class(p).allowed_query is None)
    assert unchecked == []
    unscoped = sorted(p.name for p in patterns if not getattr(_view_class(p), "required_scope", 0))
    assert unscoped == []


def _post_urls(customer, product) -> dict[str, str]:
    """Every POST of the API with real ids in its path: fails when a POST is added
    without a case here."""
    ids = {"customer_id": str(customer.pk), "sku": product.sku, "lead_id": "x", "request_id": "x"}
    urls = {}
    for pattern in _api_patterns():
        view = _view_class(pattern)
        if pattern.name in DOCUMENTATION or not hasattr(view, "post"):
            continue
        kwargs = {name: ids[name] for name in pattern.pattern.converters}
        urls[pattern.name] = reverse(f"api:{pattern.name}", kwargs=kwargs)
    return urls


def _bodies(customer, product) -> dict[str, dict]:
    """A valid body per POST: what each bad-input case starts from."""
    return {
        "customer-list": {
            "external_id": "shop-9",
            "email": "nine@example.org",
            "consents": {"account": True},
        },
        "customer-lookup": {"email": "nine@example.org"},
        "customer-consents": {"purpose": "marketing_post", "granted": True},
        "customer-interactions": {
            "channel": "email",
            "kind": "delivery",
            "note": "Asked about delivery.",
            "occurred_at": "2026-11-20T10:00:00Z",
        },
        "customer-disclosures": {"processor": "mailer", "categories": ["contact"]},
        "customer-erasure": {},
        "lead-list": {
            "email": "lead@example.org",
            "source": "shop",
            "consents": {"analytics": True},
        },
        "product-upsert": {"sku": "BK-9", "name": "Book", "category": "books", "price": "1.00"},
        "purchase-create": {
            "customer": str(customer.pk),
            "order_id": "o-9",
            "sku": product.sku,
            "quantity": 1,
            "unit_price": "1.00",
            "purchased_at": "2026-11-20T10:00:00Z",
        },
        "return-create": {
            "order_id": "o-9",
            "sku": product.sku,
            "quantity": 1,
            "returned_at": "2026-11-21T10:00:00Z",
        },
    }


def _stored_counts() -> tuple:
    return (
        Customer.objects.count(),
        Lead.objects.count(),
        LeadConsent.objects.count(),
        Product.objects.count(),
        Purchase.objects.count(),
        Interaction.objects.count(),
    )


def test_every_post_has_a_case_here(customer, product):
    assert set(_post_urls(customer, product)) == set(_bodies(customer, product))


def test_every_post_refuses_an_unknown_query_parameter(client, customer, product):
    bodies = _bodies(customer, product)
    before = _stored_counts()
    for name, url in _post_urls(customer, product).items():
        response = client.post(f"{url}?foo=1", bodies[name], format="json")
        assert response.status_code == 400, name
        assert response.json() == {"foo": ["Unknown query parameter."]}, name
    assert _stored_counts() == before


@pytest.mark.parametrize("value", ["yes", 1, "on", "true", None])
def test_every_post_refuses_a_consent_that_is_not_a_json_boolean(client, customer, product, value):
    bodies = _bodies(customer, product)
    before = _stored_counts()
    for name, url in _post_urls(customer, product).items():
        body = dict(bodies[name])
        if "granted" in body:
            body["granted"] = value
        else:  # a map of choices where the operation takes one, else an unknown field
            body["consents"] = {"marketing_post": value}
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (name, value)
    assert _stored_counts() == before


def _idempotent_posts(customer, product) -> dict[str, str]:
    views = {p.name: _view_class(p) for p in _api_patterns()}
    return {
        name: url for name, url in _post_urls(customer, product).items() if views[name].idempotent
    }


def test_only_the_lookup_post_is_a_read_that_is_not_replayed(customer, product):
    posts = set(_post_urls(customer, product))
    assert posts - set(_idempotent_posts(customer, product)) == {"customer-lookup"}


@pytest.mark.parametrize("token", ["k" * 256, "tab\tinside", ""], ids=["long", "control", "empty"])
def test_every_idempotent_post_refuses_a_malformed_key(client, customer, product, token):
    bodies = _bodies(customer, product)
    before = _stored_counts()
    for name, url in _idempotent_posts(customer, product).items():
        response = client.post(url, bodies[name], format="json", HTTP_IDEMPOTENCY_KEY=token)
        assert response.status_code == 400, name
        assert list(response.json()) == ["Idempotency-Key"], name
    assert _stored_counts() == before


def test_every_idempotent_post_refuses_its_key_reused_with_another_body(client, customer, product):
    bodies = _bodies(customer, product)
    for name, url in _idempotent_posts(customer, product).items():
        key = f"reuse-{name}"
        first = client.post(url, bodies[name], format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code < 500, name
        counts = _stored_counts()
        other = {**bodies[name], "extra": 1}
        reused = client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert reused.status_code == 422, name
        assert _stored_counts() == counts, name
        again = client.post(url, bodies[name], format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert again.status_code == first.status_code, name
        assert again["Idempotent-Replayed"] == "true", name
        assert _stored_counts() == counts, name


LEADS = "/api/v1/leads/"
LEAD = {"email": "lead@example.org", "source": "shop", "consents": {"marketing_post": True}}


@pytest.mark.parametrize("value", ["yes", 1, "on"])
def test_a_lead_consent_that_is_not_a_json_boolean_records_nothing(client, value):
    response = client.post(LEADS, {**LEAD, "consents": {"marketing_post": value}}, format="json")
    assert response.status_code == 400
    assert "marketing_post" in response.json()["consents"]
    assert not Lead.objects.exists() and not LeadConsent.objects.exists()


def test_a_lead_name_that_is_not_a_json_string_is_refused(client):
    response = client.post(LEADS, {**LEAD, "full_name": 123}, format="json")
    assert response.status_code == 400 and "full_name" in response.json()
    assert not Lead.objects.exists()


def test_a_repeated_lead_post_is_replayed_and_a_reused_key_makes_no_second_lead(client):
    first = client.post(LEADS, LEAD, format="json", HTTP_IDEMPOTENCY_KEY="lead-1")
    again = client.post(LEADS, LEAD, format="json", HTTP_IDEMPOTENCY_KEY="lead-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert LeadConsent.objects.count() == 1
    other = {**LEAD, "email": "other@example.org"}
    reused = client.post(LEADS, other, format="json", HTTP_IDEMPOTENCY_KEY="lead-1")
    assert reused.status_code == 422
    assert Lead.objects.count() == 1


def test_a_lead_answer_replayed_after_the_leads_erasure_is_gone(
    client, django_capture_on_commit_callbacks
):
    first = client.post(LEADS, LEAD, format="json", HTTP_IDEMPOTENCY_KEY="lead-2")
    assert first.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        erase_lead(lead_id=first.json()["id"], actor="staff:1")
    again = client.post(LEADS, LEAD, format="json", HTTP_IDEMPOTENCY_KEY="lead-2")
    assert again.status_code == 410 and "detail" in again.json()
    assert not Lead.objects.exists()  # the replay made nobody anew


def test_the_lead_views_refuse_unknown_query_parameters(client):
    lead = client.post(LEADS, LEAD, format="json").json()
    response = client.get(f"{LEADS}{lead['id']}/?foo=1")
    assert response.status_code == 400 and response.json() == {"foo": ["Unknown query parameter."]}
    response = client.patch(f"{LEADS}{lead['id']}/?foo=1", {"company": "Acme"}, format="json")
    assert response.status_code == 400
    assert Lead.objects.get().company is None
