"""The OpenAPI schema tells the truth: schemathesis drives every documented operation
with generated input and checks for server errors and responses that break the schema."""

import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from api.models import StorefrontKey
from crm_project.wsgi import application

# Every check schemathesis has runs (server errors, status codes, content types, headers,
# response schemas, negative data rejected, positive data accepted, methods, auth...),
# with one setting: schema-valid data may meet a 400 where the contract fixes 400 for a
# rule OpenAPI cannot state (a sku, customer or purchase line that must exist, exactly one
# of two fields, a consent map that must grant `account`, a valid email or phone number);
# and a bulk list's 207 (some items refused) counts as rejecting schema-invalid items.
REJECTIONS = [
    "207",
    "400",
    "401",
    "403",
    "404",
    "405",
    "406",
    "409",
    "413",
    "415",
    "422",
    "428",
    "429",
    "5xx",
]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            },
            # A bulk list whose invalid items are refused by index while the valid ones
            # are stored answers 207: a rejection of those items, by design.
            "negative_data_rejection": {"expected-statuses": REJECTIONS},
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


def test_the_schema_and_docs_are_served_without_a_key(db):
    from rest_framework.test import APIClient

    client = APIClient()
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert set(paths) == {
        "/api/v1/customers/",
        "/api/v1/customers/lookup/",
        "/api/v1/customers/{customer_id}/",
        "/api/v1/customers/{customer_id}/consents/",
        "/api/v1/customers/{customer_id}/erasure/",
        "/api/v1/customers/{customer_id}/export/",
        "/api/v1/erasure-requests/{request_id}/",
        "/api/v1/products/",
        "/api/v1/purchases/",
        "/api/v1/returns/",
        "/api/v1/purposes/",
        "/api/v1/leads/",
        "/api/v1/leads/{lead_id}/",
        "/api/v1/customers/{customer_id}/recommendations/",
        "/api/v1/products/{sku}/also-bought/",
        "/api/v1/products/{sku}/",
        "/api/v1/changes/",
        "/api/v1/customers/{customer_id}/interactions/",
        "/api/v1/customers/{customer_id}/disclosures/",
        "/api/v1/processors/",
    }
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes database connections when a request ends, which would
    close the test's transaction on PostgreSQL; Django's own test client unhooks this
    the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(db, keep_test_connection):
    _, key = StorefrontKey.objects.create_key(
        name="fuzz",
        scopes=["customers", "purchases", "consents", "privacy", "recommendations", "leads"],
    )
    return {"Authorization": f"Api-Key {key}"}


@pytest.mark.django_db(databases="__all__")
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_5xx_or_an_off_schema_response(case, auth_header):
    if case.headers and "Idempotency-Key" in case.headers:
        # Each generated request is a new request: a token shared between two of them
        # would (rightly) be a 422 for reuse.
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if case.meta.is_negative_at(ParameterLocation.HEADER) and "Authorization" not in (
        case.headers or {}
    ):
        # A case generated to lack the key is sent without it (it must meet a 401): adding
        # the key would make it a valid request that schemathesis expects to be refused.
        case.call_and_validate()
    else:
        case.call_and_validate(headers=auth_header)
