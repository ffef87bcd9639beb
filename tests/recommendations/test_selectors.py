import pytest

from consent.models import ConsentSource
from consent.services import set_consent
from recommendations import selectors
from recommendations.services import build_model

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("no_min_support"),
]


@pytest.fixture
def shop(make_customer, buy, catalogue):
    """Many customers buy a with b, some a with c; d is bought by everyone alone."""
    c = catalogue
    for _ in range(3):
        buy(make_customer(), c["a"], c["b"], c["d"])
    for _ in range(2):
        buy(make_customer(), c["a"], c["c"], c["d"])
    buy(make_customer(), c["e"], c["f"], c["d"])
    return c


def test_personal_recommendations_never_include_what_the_customer_owns(shop, make_customer, buy):
    shopper = make_customer()
    buy(shopper, shop["a"], shop["d"])
    build_model()
    found = selectors.recommendations_for(shopper.pk)
    skus = [item.sku for item in found.results]
    assert found.personalized
    assert skus[:2] == ["B", "C"]  # b is bought with a by more customers than c
    assert not {"A", "D"} & set(skus)


def test_because_names_the_purchases_that_led_to_each_result(shop, make_customer, buy):
    shopper = make_customer()
    buy(shopper, shop["a"])
    buy(shopper, shop["e"])
    build_model()
    because = {item.sku: item.because for item in selectors.recommendations_for(shopper.pk).results}
    assert because["B"] == ("A",) and because["C"] == ("A",)
    assert because["F"] == ("E",)
    assert set(because["D"]) == {"A", "E"}


def test_customers_without_personalization_get_popular_items(shop, make_customer, buy):
    shopper = make_customer(consents={"account": True})
    buy(shopper, shop["a"])
    build_model()
    found = selectors.recommendations_for(shopper.pk)
    assert not found.personalized
    assert [item.sku for item in found.results][:1] == ["D"]
    assert all(item.because == () for item in found.results)
    assert "A" not in [item.sku for item in found.results]


def test_withdrawing_personalization_turns_personal_recommendations_off_at_once(
    shop, make_customer, buy
):
    shopper = make_customer()
    buy(shopper, shop["a"])
    build_model()
    assert selectors.recommendations_for(shopper.pk).personalized
    set_consent(
        customer=shopper, purpose="personalization", granted=False,
        source=ConsentSource.API, actor="system",
    )  # fmt: skip
    assert not selectors.recommendations_for(shopper.pk).personalized


def test_a_customer_with_no_purchases_gets_popular_items(shop, customer):
    build_model()
    found = selectors.recommendations_for(customer.pk, limit=3)
    assert not found.personalized
    assert [item.sku for item in found.results] == ["D", "A", "B"]


def test_without_a_model_popular_items_are_counted_live_and_nothing_is_also_bought(shop, customer):
    found = selectors.recommendations_for(customer.pk, limit=3)
    assert not found.personalized
    assert [item.sku for item in found.results] == ["D", "A", "B"]
    assert selectors.also_bought(shop["a"]) == []


def test_a_short_personal_list_is_padded_with_popular_items(shop, make_customer, buy):
    shopper = make_customer()
    buy(shopper, shop["e"])
    build_model()
    found = selectors.recommendations_for(shopper.pk, limit=5)
    assert found.personalized
    assert [item.sku for item in found.results][:2] in (["D", "F"], ["F", "D"])
    padding = found.results[2:]
    assert padding and all(item.because == () for item in padding)
    assert "E" not in [item.sku for item in found.results]


def test_also_bought_lists_the_most_similar_products_first(shop):
    build_model()
    results = selectors.also_bought(shop["a"], limit=3)
    # Everyone who bought a bought d; three of them b, two c.
    assert [item.sku for item in results] == ["D", "B", "C"]
    assert results[0].score > results[1].score > results[2].score > 0
    assert [item.sku for item in selectors.also_bought(shop["a"], limit=1)] == ["D"]


def test_the_popularity_prior_fills_a_thin_history_with_best_sellers_without_because(
    shop, make_customer, buy
):
    shopper = make_customer()
    buy(shopper, shop["e"])
    build_model()
    found = selectors.recommendations_for(shopper.pk, limit=5)
    skus = [item.sku for item in found.results]
    assert found.personalized and set(skus[:2]) == {"D", "F"}
    assert skus[2:] == ["A", "B", "C"]  # bought by 5, 3 and 2 customers
    assert all(item.score > 0 and item.because == () for item in found.results[2:])
    assert found.results[2].score > found.results[3].score > found.results[4].score
