"""Loading many customers' keys at once (vault.keys.preload: one AEAD per master key for
the batch) opens every key the one-by-one path opens, under the current or a retired
master key, and each row's fields open under its own ids."""

import base64
import os

import pytest

from customers.models import Customer
from tests.factories import CustomerFactory
from vault.exceptions import MasterKeyUnavailable
from vault.keys import preload
from vault.models import DataKey
from vault.services import key_scope

pytestmark = pytest.mark.django_db(databases="__all__")


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _read(ids) -> dict:
    with key_scope():
        rows = list(Customer.objects.filter(pk__in=ids))
        preload(row.pk for row in rows)
        return {row.pk: (row.email, row.full_name, row.external_id) for row in rows}


def test_a_batch_opens_keys_under_current_and_retired_master_keys(settings):
    old, new = _key(), _key()
    settings.VAULT_MASTER_KEYS = [old]
    first = CustomerFactory(email="first@example.com", full_name="Siti Rahma")
    settings.VAULT_MASTER_KEYS = [new, old]
    second = CustomerFactory(email="second@example.com", full_name="Budi Santoso")
    # A row naming the wrong master key still opens: every key is tried, as one by one.
    DataKey.objects.filter(subject_id=first.pk).update(master_key_id="not-this-one")
    read = _read([first.pk, second.pk])
    assert read[first.pk][:2] == ("first@example.com", "Siti Rahma")
    assert read[second.pk][:2] == ("second@example.com", "Budi Santoso")
    assert read[first.pk][2] == first.external_id and read[second.pk][2] == second.external_id
    settings.VAULT_MASTER_KEYS = [new]
    with pytest.raises(MasterKeyUnavailable):
        _read([first.pk])
    assert _read([second.pk])[second.pk][0] == "second@example.com"
