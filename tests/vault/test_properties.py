"""Property tests (hypothesis): for any text, the vault gives back exactly what it was
given, and only to the row and field it was sealed for."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Customer
from vault import ciphers
from vault.exceptions import DecryptionFailed

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
KEY = ciphers.new_key()


@PROPERTY
@given(text=st.text(), associated=st.binary(max_size=64), other=st.binary(max_size=64))
def test_any_text_comes_back_exactly_and_only_with_its_associated_data(text, associated, other):
    sealed = ciphers.seal(KEY, text.encode(), associated)
    assert ciphers.open_sealed(KEY, sealed, associated).decode() == text
    if other != associated:
        with pytest.raises(ciphers.AuthenticationFailed):
            ciphers.open_sealed(KEY, sealed, other)
    with pytest.raises(ciphers.AuthenticationFailed):
        ciphers.open_sealed(ciphers.new_key(), sealed, associated)


def _sealed(customer, field: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {field} FROM customers_customer WHERE id = %s",  # noqa: S608 (fixed names)
            [customer.pk.hex if connection.vendor == "sqlite" else customer.pk],
        )
        return bytes(cursor.fetchone()[0])


def _put(customer, field: str, sealed: bytes) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE customers_customer SET {field} = %s WHERE id = %s",  # noqa: S608
            [sealed, customer.pk.hex if connection.vendor == "sqlite" else customer.pk],
        )


@pytest.mark.django_db(databases="__all__")
@PROPERTY
@given(text=st.text(min_size=1))
def test_any_text_in_an_encrypted_field_round_trips_and_is_bound_to_its_row_and_field(
    make_customer, text
):
    owner = Customer.objects.order_by("created_at").first() or make_customer()
    other = Customer.objects.exclude(pk=owner.pk).first() or make_customer()
    owner.full_name = text
    owner.save(update_fields=["full_name"])

    assert Customer.objects.get(pk=owner.pk).full_name == text
    sealed = _sealed(owner, "full_name")
    # The same ciphertext in another customer's row, or in another field, does not open.
    _put(other, "full_name", sealed)
    with pytest.raises(DecryptionFailed):
        Customer.objects.get(pk=other.pk).full_name  # noqa: B018
    _put(owner, "postal_address", sealed)
    with pytest.raises(DecryptionFailed):
        Customer.objects.get(pk=owner.pk).postal_address  # noqa: B018
