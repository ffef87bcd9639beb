import pytest
from django.db import connections

from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")


def _tables(alias: str) -> set[str]:
    return set(connections[alias].introspection.table_names())


def test_keys_live_only_in_the_key_store_and_data_only_in_the_data_database(customer):
    assert "vault_datakey" in _tables("keys")
    assert "vault_datakey" not in _tables("default")
    assert "customers_customer" not in _tables("keys")
    assert DataKey.objects.using("keys").filter(subject_id=customer.pk).exists()
