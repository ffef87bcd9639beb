"""v1.3: every answer matches the schema served for its operation, proven live.

schemathesis (its CLI, as an integrator would run it) drives every operation of a server
running as deployed, gunicorn on PostgreSQL, through the examples, coverage and fuzzing
phases with every check (tests/api/schemathesis.toml says how, and which answers a
schema-valid request may meet and why). Seeded objects give it real ids, so the positive
paths are reached. Bounded (a few minutes on two cores) and deterministic (schemathesis'
deterministic generation: the same requests in the same order on every run)."""

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import requests
from django.db import connection

from api.models import Scope, StorefrontKey
from disposal.models import Processor
from disposal.processors import save_processor
from tests.deployed import served_databases, serving

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Generous: the run takes about three minutes on two cores; a hung server fails it.
RUN_TIMEOUT_SECONDS = 600

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="as deployed: PostgreSQL"),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def deployed():
    """gunicorn on the test databases, with tasks run in-process and no rate limit in
    the way of a few thousand requests."""
    env = {
        **served_databases(),
        "REDIS_URL": "",
        "API_RATE_LIMIT": "1000000/min",
        "DEBUG": "false",
        "GUNICORN_THREADS": "2",
        "EMBEDDED_SWEEP_SECONDS": "0",
    }
    with serving(env, workers=2) as served:
        yield served.base


def _post(base: str, key: str, path: str, body) -> dict:
    response = requests.post(
        f"{base}{path}", json=body, headers={"Authorization": f"Api-Key {key}"}, timeout=30
    )
    assert response.status_code in (200, 201, 202), (path, response.status_code)
    return response.json()


def _customer(base: str, key: str, name: str) -> str:
    body = {
        "external_id": f"seed-{name}",
        "email": f"{name}@example.com",
        "full_name": name.title(),
        "consents": {"account": True, "personalization": True},
    }
    return _post(base, key, "/api/v1/customers/", body)["id"]


def seed(base: str) -> dict[str, str]:
    """Objects for the generated requests to name, made through the API itself."""
    _, key = StorefrontKey.objects.create_key(name="schemathesis", scopes=list(Scope.values))
    customer = _customer(base, key, "ada")
    _post(base, key, "/api/v1/products/", {"sku": "BK-1", "name": "Book", "category": "books",
                                            "price": "12.50"})  # fmt: skip
    _post(base, key, "/api/v1/purchases/", {
        "customer": customer, "order_id": "o-1", "sku": "BK-1", "quantity": 2,
        "unit_price": "12.50", "purchased_at": "2026-11-20T10:00:00Z",
    })  # fmt: skip
    erased = _customer(base, key, "gone")
    erasure = _post(base, key, f"/api/v1/customers/{erased}/erasure/", None)
    lead = _post(base, key, "/api/v1/leads/", {
        "email": "lead@example.org", "full_name": "Lead", "source": "shop-newsletter",
        "consents": {"marketing_post": True},
    })  # fmt: skip
    save_processor(
        processor=Processor(
            name="Mailer Ltd",
            webhook_url="https://processor.example/hooks",
            agreement_reference="DPA-1",
            agreement_signed_on=date(2026, 1, 1),
            categories=["profile", "purchases"],
        ),
        webhook_secret="s" * 32,
    )
    return {
        "CUSTODIAN_API_KEY": key,
        "CUSTODIAN_CUSTOMER": customer,
        "CUSTODIAN_CUSTOMER_TO_ERASE": _customer(base, key, "erase"),
        "CUSTODIAN_CUSTOMER_FOR_CONSENTS": _customer(base, key, "consents"),
        "CUSTODIAN_SKU": "BK-1",
        "CUSTODIAN_ERASURE_REQUEST": erasure["id"],
        "CUSTODIAN_LEAD": lead["id"],
    }


def test_every_answer_of_the_live_server_matches_its_schema(deployed, tmp_path):
    ids = seed(deployed)
    command = [
        shutil.which("st", path=str(Path(sys.executable).parent)) or "st",
        "--config-file", str(CONFIG), "run", f"{deployed}/api/schema/?format=json",
        "--url", deployed, "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    run = subprocess.run(  # noqa: S603 (our own command line)
        command,
        env={**os.environ, **ids},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    print(run.stdout[-6000:])  # the summary, shown by pytest -rP
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
