"""Serving from memory (recommendations.memory): each process holds the active build and
checks its revision on every request, so a forgotten customer's influence is gone on the
next request in every process, proven as deployed with two gunicorn workers."""

import re
from decimal import Decimal

import pytest
import requests
from django.db import connection

from api.models import Scope, StorefrontKey
from consent.models import ConsentSource
from consent.services import PERSONALIZATION, set_consent
from customers.models import Product
from customers.services import upsert_product
from recommendations import memory, policy, selectors
from recommendations.services import build_model
from tests.deployed import gunicorn_command, served_databases, serving

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def pair(make_customer, make_product, buy):
    """Five customers bought A with B: exactly RECS_MIN_SUPPORT, so B is also-bought."""
    a, b = make_product(sku="A", category="books"), make_product(sku="B", category="books")
    buyers = [make_customer() for _ in range(5)]
    for customer in buyers:
        buy(customer, a, b)
    build_model()
    return a, buyers


def _with_pid(port: int) -> list[str]:
    # The worker's pid in the access log tells which process answered.
    return [*gunicorn_command(port, workers=2), "--access-logformat", 'pid=%(p)s "%(U)s" %(s)s']


def _answers_by_worker(served, key: str, wanted: int = 2, tries: int = 200) -> dict[str, list]:
    """Ask for A's also-bought on fresh connections until `wanted` workers answered;
    returns {pid: [skus of each answer]} for the requests made by this call."""
    already = len(served.log().splitlines())
    answers: list[list[str]] = []
    for _ in range(tries):
        response = requests.get(
            f"{served.base}/api/v1/products/A/also-bought/",
            headers={"Authorization": f"Api-Key {key}", "Connection": "close"},
            timeout=30,
        )
        assert response.status_code == 200
        answers.append([item["sku"] for item in response.json()["results"]])
        log = "\n".join(served.log().splitlines()[already:])
        pids = re.findall(r'pid=<(\d+)> "/api/v1/products/A/also-bought/"', log)
        if len(set(pids)) >= wanted and len(pids) == len(answers):
            by_worker: dict[str, list] = {}
            for pid, skus in zip(pids, answers, strict=True):
                by_worker.setdefault(pid, []).append(skus)
            return by_worker
    raise AssertionError("the requests did not reach both workers")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="as deployed: PostgreSQL")
def test_a_withdrawal_is_served_by_every_worker_on_its_next_request(pair):
    _, buyers = pair
    _, key = StorefrontKey.objects.create_key(name="shop", scopes=list(Scope.values))
    env = {**served_databases(), "REDIS_URL": "", "DEBUG": "false",
           "EMBEDDED_SWEEP_SECONDS": "0", "API_RATE_LIMIT": "1000000/min"}  # fmt: skip
    with serving(env, command=_with_pid) as served:
        before = _answers_by_worker(served, key)
        assert all(skus == ["B"] for answers in before.values() for skus in answers)

        # The fifth buyer withdraws: A with B now rests on four customers.
        set_consent(
            customer=buyers[0], purpose=PERSONALIZATION, granted=False,
            source=ConsentSource.API, actor="api:shop",
        )  # fmt: skip

        after = _answers_by_worker(served, key)
        assert set(after) == set(before)  # the same two processes, each warm before
        assert all(skus == [] for answers in after.values() for skus in answers)


def test_a_process_loads_the_build_again_when_its_revision_moves(pair):
    a, buyers = pair
    held = memory.served_model()
    assert memory.served_model() is held  # the same key: no reload
    assert [item.sku for item in selectors.also_bought(a)] == ["B"]
    set_consent(
        customer=buyers[1], purpose=PERSONALIZATION, granted=False,
        source=ConsentSource.API, actor="api:shop",
    )  # fmt: skip
    assert memory.served_model() is not held
    assert selectors.also_bought(a) == []


def test_a_product_moved_to_a_sensitive_category_leaves_memory_at_once(pair):
    a, _ = pair
    assert [item.sku for item in selectors.also_bought(a)] == ["B"]
    sensitive = policy.sensitive_categories()[0]
    upsert_product(sku="B", name="B", category=sensitive, price=Decimal("1.00"), actor="staff:1")
    assert selectors.also_bought(a) == []


def test_a_new_build_going_live_is_served_at_once(pair, make_customer, make_product, buy):
    a, _ = pair
    c = make_product(sku="C", category="books")
    for _ in range(5):
        buy(make_customer(), a, c)
    assert [item.sku for item in selectors.also_bought(a)] == ["B"]
    build_model()
    assert {item.sku for item in selectors.also_bought(a)} == {"B", "C"}


def test_a_purchase_moved_to_a_sensitive_category_stops_being_evidence_at_once(
    pair, make_customer, buy
):
    # The customer's purchases are told hidden or not by the served copy's catalogue:
    # moving a product moves the key, so the next request reads the new category.
    a, _ = pair
    shopper = make_customer()
    buy(shopper, a)
    before = selectors.recommendations_for(shopper.pk)
    assert before.personalized and before.results[0].because == ("A",)
    sensitive = policy.sensitive_categories()[0]
    upsert_product(sku="A", name="A", category=sensitive, price=Decimal("1.00"), actor="staff:1")
    after = selectors.recommendations_for(shopper.pk)
    assert not after.personalized
    assert all(item.because == () for item in after.results)


def test_a_product_the_served_catalogue_does_not_hold_is_told_hidden_by_the_database(
    pair, make_customer, make_product, buy, monkeypatch
):
    # A product created while a process already held its copy (here: its last change
    # put back, so the catalogue's key does not move) is looked up, never taken as shown.
    a, _ = pair
    held = memory.served_model()
    pills = make_product(sku="PILLS", category=policy.sensitive_categories()[0])
    Product.objects.filter(pk=pills.pk).update(updated_at=a.updated_at)
    shopper = make_customer()
    buy(shopper, a)
    buy(shopper, pills)  # the newest purchase
    assert memory.served_model() is held and pills.pk not in held.catalogue
    # One product of evidence: the pills would take the only place if not told hidden.
    monkeypatch.setattr(selectors, "HISTORY", 1)
    found = selectors.recommendations_for(shopper.pk)
    assert found.personalized
    assert [(item.sku, item.because) for item in found.results] == [("B", ("A",))]
