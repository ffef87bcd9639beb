"""Sensitive categories (health, pharmacy, adult) need explicit consent,
`sensitive_personalization` on top of `personalization`: to be learned from, to be
evidence and to be recommended. Never in also-bought nor in popular lists."""

import pytest
from django.db import transaction

from consent.models import ConsentSource
from consent.services import set_consent
from customers.models import Purchase
from recommendations import selectors
from recommendations.models import Contributor
from recommendations.services import build_model, forget_sensitive
from tests.recommendations.test_services import also, assert_same_model, snapshot

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("no_min_support"),
]

OPTED_IN = {"account": True, "personalization": True, "sensitive_personalization": True}


@pytest.fixture
def sensitive(make_product):
    return {
        "pills": make_product(sku="PILLS", category="pharmacy"),
        "cream": make_product(sku="CREAM", category="health"),
    }


@pytest.fixture
def pharmacy_shop(make_customer, buy, catalogue, sensitive):
    """Opted-in customers buy a with pills, pills with cream; customers who did not opt
    in buy pills with c and d; pills is the best seller."""
    c, s = catalogue, sensitive
    opted = [make_customer(consents=OPTED_IN) for _ in range(3)]
    buy(opted[0], c["a"], s["pills"])
    buy(opted[1], c["a"], s["pills"], c["b"])
    buy(opted[2], s["pills"], s["cream"])
    plain = [make_customer() for _ in range(2)]
    buy(plain[0], c["a"], s["pills"], c["c"])
    buy(plain[1], s["pills"], c["c"], c["d"])
    return opted, plain


def withdraw_sensitive(customer):
    set_consent(
        customer=customer, purpose="sensitive_personalization", granted=False,
        source=ConsentSource.API, actor="system",
    )  # fmt: skip


def test_an_opted_in_customer_gets_sensitive_recommendations_with_their_because(
    pharmacy_shop, make_customer, buy, catalogue, sensitive
):
    shopper = make_customer(consents=OPTED_IN)
    buy(shopper, catalogue["a"])
    buy(shopper, sensitive["cream"])
    build_model()
    found = selectors.recommendations_for(shopper.pk)
    because = {item.sku: item.because for item in found.results}
    assert found.personalized
    assert set(because["PILLS"]) == {"A", "CREAM"}  # bought with both
    assert because["B"] == ("A",)
    assert "CREAM" not in because  # owned


def test_a_customer_without_the_opt_in_never_sees_sensitive_items_nor_sensitive_because(
    pharmacy_shop, make_customer, buy, catalogue, sensitive
):
    shopper = make_customer()
    buy(shopper, catalogue["a"])
    buy(shopper, sensitive["cream"])  # evidence for pills, were it allowed
    build_model()
    found = selectors.recommendations_for(shopper.pk)
    assert found.personalized and found.results
    skus = {item.sku for item in found.results}
    assert not {"PILLS", "CREAM"} & skus
    assert all(not {"PILLS", "CREAM"} & set(item.because) for item in found.results)
    assert {"B", "C"} <= skus  # from a, which is allowed


def test_sensitive_purchases_of_customers_without_the_opt_in_are_not_training_evidence(
    pharmacy_shop, sensitive
):
    _, plain = pharmacy_shop
    build_model()
    built = snapshot()
    for customer in plain:
        counted = Contributor.objects.get(customer_id=customer.pk).products
        assert sensitive["pills"].pk not in counted
    Purchase.objects.filter(customer__in=plain, product__category="pharmacy").delete()
    build_model()
    assert_same_model(built, snapshot())
    assert built["counts"]["PILLS"][0] == 3  # the three opted-in buyers only


def test_withdrawing_the_opt_in_forgets_the_sensitive_part_exactly_as_a_fresh_build_would(
    pharmacy_shop, django_capture_on_commit_callbacks, sensitive
):
    opted, _ = pharmacy_shop
    build_model()
    whole = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_sensitive(opted[1])  # bought a, pills, b: a and b stay in the model
        withdraw_sensitive(opted[2])  # bought pills and cream only: leaves the model
    forgotten = snapshot()
    assert forgotten["counts"] != whole["counts"]
    kept = Contributor.objects.get(customer_id=opted[1].pk)
    assert sensitive["pills"].pk not in kept.products and len(kept.products) == 2
    assert not Contributor.objects.filter(customer_id=opted[2].pk).exists()
    assert forget_sensitive(customer_id=opted[1].pk) == 0  # idempotent
    assert_same_model(forgotten, snapshot())
    build_model()
    assert_same_model(forgotten, snapshot())
    rebuilt = Contributor.objects.get(customer_id=opted[1].pk, build__is_active=True)
    assert (rebuilt.products, rebuilt.weight) == (kept.products, kept.weight)


def test_an_opt_in_withdrawn_while_a_build_runs_does_not_go_live_with_it(pharmacy_shop):
    opted, _ = pharmacy_shop

    def withdraw_midway(message):
        if message.startswith("counted"):  # after the read, before going live
            with transaction.atomic():
                withdraw_sensitive(opted[0])

    build_model(progress=withdraw_midway)
    raced = snapshot()
    build_model()
    assert_same_model(raced, snapshot())


def test_also_bought_never_lists_sensitive_products_and_is_empty_for_them(
    pharmacy_shop, catalogue, sensitive
):
    build_model()
    assert "B" in also(catalogue["a"])
    assert "PILLS" not in also(catalogue["a"])  # the opted-in bought a with pills
    assert also(sensitive["pills"]) == [] and also(sensitive["cream"]) == []


def test_popular_items_never_include_sensitive_products(pharmacy_shop, make_customer):
    for consents in (OPTED_IN, {"account": True}):
        found = selectors.recommendations_for(make_customer(consents=consents).pk)
        # No model yet: counted live, without sensitive products either.
        assert found.results and not {"PILLS", "CREAM"} & {item.sku for item in found.results}
    build_model()
    for consents in (OPTED_IN, {"account": True}):
        found = selectors.recommendations_for(make_customer(consents=consents).pk)
        assert found.results and not {"PILLS", "CREAM"} & {item.sku for item in found.results}
