"""One rule for sensitive categories, in access.policy: the customer list, segments and
recommendations all read the same list, so changing it changes all three."""

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Segment
from campaigns.segments import criteria_errors, selectable_categories
from customers.selectors import CustomerFilters, filtered_customers
from recommendations import policy as recommendations_policy

pytestmark = pytest.mark.django_db(databases="__all__")


def test_one_list_of_sensitive_categories_rules_lists_segments_and_recommendations(
    settings, make_product
):
    settings.RECOMMENDATIONS_SENSITIVE_CATEGORIES = ["vitamins"]
    make_product(sku="V-1", category="vitamins")
    make_product(sku="B-1", category="books")
    assert recommendations_policy.sensitive_categories() == ["vitamins"]
    with pytest.raises(ValidationError) as refused:
        filtered_customers(CustomerFilters(category="vitamins"))
    assert "never a filter" in refused.value.message_dict["category"][0]
    assert "vitamins" in criteria_errors(Segment(categories=["vitamins"]))["categories"][0]
    assert selectable_categories() == ["books"]
    filtered_customers(CustomerFilters(category="books"))  # not sensitive: a filter
