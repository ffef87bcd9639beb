"""generate_dataset: a shop with skew, real customers, repeatable and additive."""

from collections import Counter

import pytest
from django.core.management import call_command

from consent.models import ConsentState
from customers.models import Customer, Product, Purchase
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")


def test_it_generates_real_customers_skewed_purchases_and_adds_only_what_is_missing(capsys):
    call_command("generate_dataset", customers=60, products=40, purchases=3000)
    out = capsys.readouterr().out
    assert "40 products, 60 customers and 3,000 purchase lines added" in out
    assert "customers 60/60" in out and "purchases 3,000/3,000" in out

    customer = Customer.objects.get(external_id_index=Customer._meta.get_field(
        "external_id_index").digest("gen-0000007"))  # fmt: skip
    assert customer.email.endswith("@example.net") and customer.full_name
    assert DataKey.objects.filter(subject_id=customer.pk).exists()
    assert ConsentState.objects.filter(customer=customer, purpose_id="account", granted=True)

    lines = list(Purchase.objects.values_list("product__sku", "customer_id", "purchased_at"))
    assert len(lines) == 3000
    by_product = Counter(sku for sku, _, _ in lines)
    by_customer = Counter(customer_id for _, customer_id, _ in lines)
    # Popular products and heavy buyers: the top tenth carries far more than a tenth.
    top_products = sum(count for _, count in by_product.most_common(4))
    assert top_products > 0.25 * len(lines)
    top_buyers = sum(count for _, count in by_customer.most_common(6))
    assert top_buyers > 0.25 * len(lines)
    # Seasons: November and December busier than February and March.
    months = Counter(at.month for _, _, at in lines)
    assert months[11] + months[12] > months[2] + months[3]

    call_command("generate_dataset", customers=60, products=40, purchases=3000)
    assert "0 customers and 0 purchase lines added" in capsys.readouterr().out
    call_command("generate_dataset", customers=70, products=40, purchases=3500)
    assert "10 customers and 500 purchase lines added" in capsys.readouterr().out
    assert Customer.objects.count() == 70 and Product.objects.count() == 40


def test_nonsense_sizes_are_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="must be 1 or more"):
        call_command("generate_dataset", customers=0, products=5, purchases=10)
