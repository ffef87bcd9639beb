"""Restriction of processing (GDPR Art. 18): no recommendations and no training on a
restricted customer until the restriction is lifted."""

import pytest

from customers.restriction import lift_restriction, restrict_processing
from recommendations.selectors import recommendations_for
from recommendations.services import build_model, eligible_customers

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def shop(make_customer, buy, catalogue):
    for _ in range(5):
        buy(make_customer(), catalogue["a"], catalogue["b"])
    return catalogue


def test_a_restricted_customer_gets_no_recommendations_until_lifted(shop, make_customer, buy):
    shopper = make_customer()
    buy(shopper, shop["a"])
    build_model()
    assert recommendations_for(shopper.pk).results
    restrict_processing(customer=shopper, actor="staff:1")
    found = recommendations_for(shopper.pk)
    assert found.results == [] and not found.personalized
    lift_restriction(customer=shopper, actor="staff:1")
    assert recommendations_for(shopper.pk).personalized


def test_a_restricted_customer_is_not_trained_on(make_customer):
    kept, restricted = make_customer(), make_customer()
    restrict_processing(customer=restricted, actor="staff:1")
    eligible = eligible_customers([kept.pk, restricted.pk])
    assert kept.pk in eligible and restricted.pk not in eligible
