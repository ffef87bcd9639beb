"""Blind-index key rotation (finding 12): rotate_index_key re-indexes every row under the
new key, lookups keep working throughout, pseudonyms never change, and once the old key
is dropped no stored index value can be tested with it."""

import base64
import io
import os

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from customers.selectors import customer_by_email, customer_by_external_id
from vault.blind_index import blind_index
from vault.keyring import decode_key
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _stable_keys() -> dict[str, str]:
    out = io.StringIO()
    call_command("rotate_index_key", "--derive-stable-keys", stdout=out, stderr=io.StringIO())
    return dict(line.split("=", 1) for line in out.getvalue().split())


@pytest.fixture
def rotated(settings, make_customer):
    """Customers indexed under the old key, the stable subkeys set, then the new key
    deployed with the old one retired."""
    customers = [make_customer() for _ in range(3)]
    old = settings.VAULT_INDEX_KEY
    pseudonyms = [subject_pseudonym(c.pk) for c in customers]
    for setting, value in _stable_keys().items():
        setattr(settings, setting, value)
    settings.VAULT_INDEX_KEY = _key()
    settings.VAULT_RETIRED_INDEX_KEYS = [old]
    return customers, old, pseudonyms


def test_lookups_work_before_during_and_after_the_rotation(rotated, settings):
    customers, _, _ = rotated
    for customer in customers:  # not re-indexed yet: found through the retired key
        assert customer_by_email(customer.email.upper()) == customer
    call_command("rotate_index_key", stdout=io.StringIO())
    settings.VAULT_RETIRED_INDEX_KEYS = []  # the old key is gone
    for customer in customers:
        assert customer_by_email(customer.email) == customer
        assert customer_by_external_id(customer.external_id) == customer


def test_after_rotation_no_stored_index_answers_to_the_old_key(rotated, settings):
    customers, old, _ = rotated
    out = io.StringIO()
    call_command("rotate_index_key", stdout=out)
    assert "customers.customer: 3 row(s) re-indexed" in out.getvalue()
    assert "destroy every copy" in out.getvalue()
    stored = set(Customer.objects.values_list("email_index", flat=True))
    for customer in customers:
        under_old = blind_index("customers.customer.email", customer.email, decode_key("k", old))
        assert under_old not in stored
    again = io.StringIO()
    call_command("rotate_index_key", stdout=again)  # idempotent
    assert "customers.customer: 0 row(s)" in again.getvalue()


def test_pseudonyms_and_audit_seals_outlive_the_old_index_key(rotated, settings):
    from audit.chain import seal_key_id

    customers, old, pseudonyms = rotated
    seal_key = seal_key_id()
    call_command("rotate_index_key", stdout=io.StringIO())
    settings.VAULT_RETIRED_INDEX_KEYS = []  # the old root is destroyed...
    assert old not in {getattr(settings, name) for name in dir(settings) if name.isupper()}
    # ...and what was made under it keeps its value.
    assert [subject_pseudonym(c.pk) for c in customers] == pseudonyms
    assert seal_key_id() == seal_key


def test_the_stable_keys_are_derived_before_the_first_rotation_only(settings):
    keys = _stable_keys()
    assert set(keys) == {"VAULT_PSEUDONYM_KEY", "VAULT_AUDIT_SEAL_KEY"}
    assert settings.VAULT_INDEX_KEY not in keys.values()
    settings.VAULT_RETIRED_INDEX_KEYS = [_key()]
    with pytest.raises(CommandError, match="before the first rotation"):
        call_command("rotate_index_key", "--derive-stable-keys", stdout=io.StringIO())


def test_uniqueness_holds_against_rows_not_yet_reindexed(rotated, make_customer):
    from customers.exceptions import DuplicateCustomer

    customers, _, _ = rotated
    with pytest.raises(DuplicateCustomer):
        make_customer(email=customers[0].email)


def test_rotation_refuses_to_run_without_a_retired_key_or_a_pseudonym_key(settings):
    settings.VAULT_RETIRED_INDEX_KEYS = []
    with pytest.raises(CommandError, match="VAULT_RETIRED_INDEX_KEYS"):
        call_command("rotate_index_key")
    settings.VAULT_RETIRED_INDEX_KEYS = [_key()]
    settings.VAULT_PSEUDONYM_KEY = ""
    with pytest.raises(CommandError, match="VAULT_PSEUDONYM_KEY"):
        call_command("rotate_index_key")


def test_start_up_refuses_retired_index_keys_without_a_pseudonym_key():
    from django.core.exceptions import ImproperlyConfigured

    from vault.keyring import check_key_settings

    names = ("VAULT_PSEUDONYM_KEY", "VAULT_AUDIT_SEAL_KEY")
    with pytest.raises(ImproperlyConfigured, match="VAULT_PSEUDONYM_KEY"):
        check_key_settings([_key()], _key(), [_key()], dict.fromkeys(names, ""))
    check_key_settings([_key()], _key(), [_key()], {name: _key() for name in names})
