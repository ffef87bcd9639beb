"""`__any_of` (runtime/lookups.py) selects exactly what `__in` selects."""

import pytest
from django.db import connection

from customers.models import Customer, Product
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")


def test_any_of_selects_the_rows_in_selects(make_customer, make_product):
    customers = [make_customer() for _ in range(3)]
    for number in range(3):
        make_product(sku=f"S-{number}")
    wanted = {customers[0].pk, customers[2].pk, customers[0].pk.__class__(int=7)}
    for model, field, values in [
        (Customer, "pk", wanted),
        (Customer, "pk", [str(customers[1].pk)]),
        (Product, "sku", ["S-0", "S-2", "nope", None]),
        (DataKey, "subject_id", wanted),
    ]:
        chosen = set(model.objects.filter(**{f"{field}__any_of": values}))
        assert chosen == set(model.objects.filter(**{f"{field}__in": values}))
        assert chosen
    assert not Customer.objects.filter(pk__any_of=[]).exists()
    assert {p.sku for p in Product.objects.filter(sku__any_of={"S-1"})} == {"S-1"}


def test_ids_go_as_one_array_literal(make_customer):
    customers = [make_customer() for _ in range(2)]
    wanted = [customers[1].pk, str(customers[0].pk), customers[0].pk.__class__(int=9)]
    query = Customer.objects.filter(pk__any_of=wanted)
    assert set(query) == set(customers)
    if connection.vendor == "postgresql":
        assert "= ANY(" in str(query.query) and "::uuid[]" in str(query.query)
