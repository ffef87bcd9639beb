"""v1.3: the schema served at /api/schema/ states the rules the code enforces, and the
shared answers (unknown query parameter, malformed Idempotency-Key, replay after an
erasure) match the schema of the operation that gives them."""

import jsonschema
import pytest

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture(scope="module")
def served(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/?format=json").json()


def resolve(schema: dict, served: dict) -> dict:
    while "$ref" in schema:
        schema = served["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def assert_matches(served: dict, path: str, method: str, response) -> None:
    documented = served["paths"][path][method]["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**schema, "components": served["components"]})


def operations(served: dict):
    for path, methods in served["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_an_unknown_query_parameter_matches_the_400_of_every_operation(client, served):
    for path, method, _ in operations(served):
        if "{" in path or method != "get":
            continue
        response = client.get(f"{path}?foo=1")
        assert response.json() == {"foo": ["Unknown query parameter."]}, path
        assert_matches(served, path, method, response)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/purchases/", "/api/v1/returns/", "/api/v1/customers/{customer_id}/erasure/"],
)
def test_a_malformed_idempotency_key_matches_the_400_of_the_operation(client, served, path):
    url = path.replace("{customer_id}", "00000000-0000-0000-0000-000000000000")
    response = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert_matches(served, path, "post", response)


def test_a_replay_after_the_erasure_matches_the_documented_410(
    client, served, django_capture_on_commit_callbacks
):
    body = {"external_id": "s-1", "email": "a@example.com", "consents": {"account": True}}
    created = client.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/customers/{created.json()['id']}/erasure/")
    replay = client.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert replay.status_code == 410
    assert_matches(served, "/api/v1/customers/", "post", replay)
    assert (
        "Idempotent-Replayed"
        in served["paths"]["/api/v1/customers/"]["post"]["responses"]["410"]["headers"]
    )


def request_objects(served: dict):
    for path, method, operation in operations(served):
        body = operation.get("requestBody")
        if not body:
            continue
        schema = resolve(body["content"]["application/json"]["schema"], served)
        for branch in schema.get("oneOf", [schema]):
            branch = resolve(branch, served)
            yield path, method, resolve(branch.get("items", branch), served), branch


def test_strict_request_bodies_state_that_unknown_fields_are_refused(served):
    checked = 0
    for path, method, item, _ in request_objects(served):
        assert item.get("additionalProperties") is False, (method, path)
        checked += 1
    assert checked >= 8


def test_bulk_lists_state_their_bounds(served):
    bounds = {
        path: (branch["minItems"], branch["maxItems"])
        for path, _, _, branch in request_objects(served)
        if branch.get("type") == "array"
    }
    assert bounds == {"/api/v1/customers/": (1, 500), "/api/v1/purchases/": (1, 1000)}


def test_prices_state_two_decimals(served):
    for name in ("ProductRequest", "PurchaseLineRequest"):
        properties = served["components"]["schemas"][name]["properties"]
        money = properties.get("price") or properties["unit_price"]
        number = next(branch for branch in money["oneOf"] if branch["type"] == "number")
        assert number["multipleOf"] == 0.01


def test_paging_parameters_state_their_bounds(served):
    seen = set()
    for path, method, operation in operations(served):
        for parameter in operation.get("parameters", []):
            name, schema = parameter["name"], parameter.get("schema", {})
            if name in ("page", "limit"):
                assert schema.get("minimum") == 1, (method, path, name)
                seen.add(name)
            if name == "limit":
                assert "maximum" in schema, (method, path)
            if name in ("cursor", "after"):
                assert schema.get("minLength") == 1, (method, path, name)
    assert seen == {"page", "limit"}


@pytest.mark.parametrize(
    "url,maximum",
    [
        ("/api/v1/products/", 200),
        ("/api/v1/changes/", 500),
        ("/api/v1/products/BK-1/also-bought/", 100),
    ],
)
def test_an_oversized_limit_is_refused_on_every_list(client, make_product, url, maximum):
    make_product(sku="BK-1")
    assert client.get(f"{url}?limit={maximum}").status_code == 200
    refused = client.get(f"{url}?limit={maximum + 1}")
    assert refused.status_code == 400 and "limit" in refused.json()
