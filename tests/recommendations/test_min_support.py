"""Privacy of aggregates: a pair counts only when RECS_MIN_SUPPORT distinct customers
bought both, and "popular" only items bought by that many, so that no endpoint shows
one customer's basket to anyone else."""

import numpy as np
import pytest
from django.core.management import call_command
from scipy import sparse

from consent.models import ConsentSource
from consent.services import set_consent
from recommendations import engine, selectors
from recommendations.services import build_model, forget_customer
from tests.recommendations.test_services import assert_same_model, snapshot

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def crowd(make_customer, make_product, buy):
    """Six customers buy A with B (and C, the best seller); one alone buys X, Y and Z."""
    a, b, c = (make_product(sku=sku) for sku in ("A", "B", "C"))
    for _ in range(6):
        buy(make_customer(), a, b, c)
    loner = make_customer()
    x, y, z = (make_product(sku=sku) for sku in ("X", "Y", "Z"))
    buy(loner, x, y, z)
    return loner


def test_one_customers_rare_basket_is_not_listed_as_also_bought(crowd, make_product):
    build_model()
    assert selectors.also_bought(make_product(sku="X")) == []
    assert selectors.also_bought(make_product(sku="Y")) == []
    assert [item.sku for item in selectors.also_bought(make_product(sku="A"))] == ["B", "C"]


def test_a_product_bought_by_too_few_customers_is_never_recommended_to_others(
    crowd, make_customer, make_product, buy, settings
):
    assert settings.RECS_MIN_SUPPORT == 5
    # Four more customers buy X with A: X is now bought by five, but with A by four only.
    a, x = make_product(sku="A"), make_product(sku="X")
    for _ in range(4):
        buy(make_customer(), a, x)
    build_model()
    shopper, newcomer = make_customer(), make_customer(consents={"account": True})
    buy(shopper, a)
    for customer in (shopper, newcomer):
        skus = [item.sku for item in selectors.recommendations_for(customer.pk, limit=20).results]
        assert not {"Y", "Z"} & set(skus)
    assert "X" not in [item.sku for item in selectors.also_bought(a, limit=20)]
    because = {item.sku: item.because for item in selectors.recommendations_for(shopper.pk).results}
    assert "X" not in because or because["X"] == ()  # popular (five buyers), never "with A"


def test_popular_lists_only_items_bought_by_enough_customers(crowd, make_customer):
    build_model()
    newcomer = make_customer(consents={"account": True})
    found = selectors.recommendations_for(newcomer.pk, limit=20)
    assert [item.sku for item in found.results] == ["A", "B", "C"]
    assert found.personalized is False


def test_the_minimum_is_a_setting(crowd, make_product, settings):
    settings.RECS_MIN_SUPPORT = 1
    build_model()
    assert {item.sku for item in selectors.also_bought(make_product(sku="X"))} == {"Y", "Z"}


def test_the_popularity_fallback_works_before_any_build(crowd, make_customer):
    newcomer = make_customer(consents={"account": True})
    found = selectors.recommendations_for(newcomer.pk, limit=20)
    assert [item.sku for item in found.results] == ["A", "B", "C"]
    assert {item.reason for item in found.results} == {"popular"}


def test_forgetting_a_customer_drops_pairs_that_fall_below_the_minimum(
    make_customer, make_product, buy
):
    a, b = make_product(sku="A"), make_product(sku="B")
    buyers = [make_customer() for _ in range(5)]
    for customer in buyers:
        buy(customer, a, b)
    build_model()
    assert [item.sku for item in selectors.also_bought(a)] == ["B"]
    call_command("build_recommendations", verbosity=0)
    forget_customer(customer_id=buyers[0].pk, actor="system")
    assert selectors.also_bought(a) == []


def test_forgetting_under_a_floor_leaves_the_model_a_fresh_build_would_make(
    make_customer, catalogue, buy, settings, django_capture_on_commit_callbacks
):
    settings.RECS_MIN_SUPPORT = 2
    c = catalogue
    ada, bob, cy = make_customer(), make_customer(), make_customer()
    buy(ada, c["a"], c["b"], c["c"])
    buy(bob, c["a"], c["b"], c["d"])
    buy(cy, c["a"], c["c"], c["d"], c["e"])
    build_model()
    before = snapshot()
    assert set(before["neighbours"]["A"]) == {"B", "C", "D"}
    with django_capture_on_commit_callbacks(execute=True):
        set_consent(
            customer=bob, purpose="personalization", granted=False,
            source=ConsentSource.API, actor="system",
        )  # fmt: skip
    forgotten = snapshot()
    assert set(forgotten["neighbours"].get("A", {})) == {"C"}  # a-b and a-d: one buyer left
    build_model()
    assert_same_model(forgotten, snapshot())


def test_the_engine_drops_exactly_the_pairs_under_the_floor():
    matrix = sparse.random(300, 80, density=0.08, random_state=2, format="csr")
    matrix.data[:] = 1
    params = engine.Params(min_support=3)
    counts = engine.co_counts(matrix, engine.customer_weights(matrix, params))
    support = engine.pair_support(matrix)
    floored = engine.neighbours(counts, params, support=support)
    # The same as the model of counts whose pairs under 3 buyers were never counted.
    dense, buyers = counts.toarray(), support.toarray()
    rare = buyers < 3
    np.fill_diagonal(rare, False)
    dense[rare] = 0
    expected = engine.neighbours(sparse.csr_matrix(dense), engine.Params(min_support=1))
    assert abs(floored - expected).max() == 0 and floored.nnz == expected.nnz
    assert floored.nnz < engine.neighbours(counts, engine.Params(min_support=1)).nnz
    with pytest.raises(ValueError, match="pair support"):
        engine.neighbours(counts, params)
