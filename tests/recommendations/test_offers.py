"""Tailored offers: buy-again blended with the model, under the consent rules of
recommendations (personalization, sensitive_personalization, restriction)."""

import pytest

from consent.models import ConsentSource
from consent.services import set_consent
from customers.restriction import restrict_processing
from recommendations.blend import BUY_AGAIN, DISCOVER, blend, buy_again_scores
from recommendations.offers import POPULAR, offers_for
from recommendations.services import build_model

pytestmark = pytest.mark.django_db(databases="__all__")
OPTED_IN = {"account": True, "personalization": True, "sensitive_personalization": True}


@pytest.fixture(autouse=True)
def _every_pair_counts(settings):
    settings.RECS_MIN_SUPPORT = 1  # tiny fixtures: let every co-purchase count


def test_buy_again_weighs_how_often_and_how_recently():
    # (item, orders since): a in three old orders, b in the latest, c in an old one.
    scores = buy_again_scores([("a", 5), ("a", 6), ("a", 7), ("b", 0), ("c", 7), ("a", 5)])
    assert scores["a"] > scores["b"] > scores["c"]
    assert scores["a"] == pytest.approx(0.95**5 + 0.95**6 + 0.95**7)  # one per order


def test_the_blend_lists_each_item_once_favourites_first():
    ranked = blend({"a": 3.0, "b": 1.0}, [("x", 0.9), ("a", 0.5)], limit=3)
    assert [item for item, _score, _source in ranked] == ["a", "b", "x"]
    assert ranked[2][2] == "discover"


def test_a_customer_is_offered_their_repeat_purchases_first(make_customer, buy, catalogue):
    shopper = make_customer()
    buy(shopper, catalogue["a"])
    buy(shopper, catalogue["a"], catalogue["b"])
    buy(shopper, catalogue["a"])
    build_model()
    offers = offers_for(shopper.pk, limit=5)
    assert offers[0].sku == "A" and offers[0].reason == BUY_AGAIN
    assert offers[1].sku == "B"


def test_discoveries_come_from_the_model_with_their_because(make_customer, buy, catalogue):
    for _ in range(3):
        buy(make_customer(), catalogue["a"], catalogue["c"])
    shopper = make_customer()
    buy(shopper, catalogue["a"])
    build_model()
    offers = {offer.sku: offer for offer in offers_for(shopper.pk, limit=5)}
    assert offers["C"].reason == DISCOVER and offers["C"].because == ("A",)


def test_sensitive_purchases_are_never_offered_without_explicit_consent(
    make_customer, buy, catalogue, make_product
):
    pills = make_product(sku="PILLS", category="pharmacy")
    plain = make_customer()
    opted = make_customer(consents=OPTED_IN)
    for customer in (plain, opted):
        buy(customer, pills)
        buy(customer, pills, catalogue["b"])
        buy(customer, pills)
    for _ in range(3):
        buy(make_customer(consents=OPTED_IN), pills, catalogue["d"])
    build_model()
    assert "PILLS" not in {offer.sku for offer in offers_for(plain.pk)}
    assert "PILLS" in {offer.sku for offer in offers_for(opted.pk)}
    set_consent(
        customer=opted, purpose="sensitive_personalization", granted=False,
        source=ConsentSource.API, actor="system",
    )  # fmt: skip
    assert "PILLS" not in {offer.sku for offer in offers_for(opted.pk)}


def test_without_personalization_offers_are_only_popular_items(make_customer, buy, catalogue):
    for _ in range(3):
        buy(make_customer(), catalogue["c"])
    shopper = make_customer(consents={"account": True})
    buy(shopper, catalogue["a"])
    buy(shopper, catalogue["a"])
    build_model()
    offers = offers_for(shopper.pk)
    assert offers and {offer.reason for offer in offers} == {POPULAR}
    assert "A" not in {offer.sku for offer in offers}  # no buy-again: it is personal


def test_a_restricted_customer_gets_no_offers(make_customer, buy, catalogue):
    shopper = make_customer()
    buy(shopper, catalogue["a"])
    buy(shopper, catalogue["a"])
    build_model()
    restrict_processing(customer=shopper, actor="staff:1")
    assert offers_for(shopper.pk) == []
