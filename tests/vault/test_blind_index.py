import pytest

from customers.models import Customer
from customers.selectors import customer_by_email, customer_by_external_id
from vault.blind_index import blind_index

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_blind_index_is_stable_per_column_and_differs_across_columns():
    assert blind_index("customers.customer.email", "a@x.io") == blind_index(
        "customers.customer.email", "a@x.io"
    )
    assert blind_index("customers.customer.email", "a@x.io") != blind_index(
        "customers.customer.external_id", "a@x.io"
    )
    assert len(blind_index("customers.customer.email", "a@x.io")) == 64


def test_customers_are_found_by_email_whatever_its_case_and_by_external_id(make_customer):
    customer = make_customer(email="Ada.Lovelace@Example.com", external_id="shop-7")
    assert customer_by_email("  ada.lovelace@EXAMPLE.com ") == customer
    assert customer_by_external_id("shop-7") == customer
    assert customer_by_email("someone@example.com") is None


def test_the_index_is_stored_instead_of_the_email(make_customer):
    customer = make_customer(email="ada@example.com")
    stored = Customer.objects.values_list("email_index", flat=True).get(pk=customer.pk)
    assert stored == blind_index("customers.customer.email", "ada@example.com")
