import base64
import os

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from customers.models import Customer, Interaction
from customers.selectors import customer_get
from customers.services import record_interaction
from vault.exceptions import DecryptionFailed, KeyDestroyed, MasterKeyUnavailable
from vault.models import DataKey
from vault.services import destroy_key, key_scope

pytestmark = pytest.mark.django_db(databases="__all__")

SENSITIVE = {
    "external_id": "shop-secret-991",
    "email": "grace.hopper@example.org",
    "full_name": "Grace Brewster Hopper",
    "phone": "+1 202 555 0143",
    "postal_address": "1 Navy Yard, Arlington",
}


def _raw_rows(table: str) -> list[tuple]:
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
        return cursor.fetchall()


def _as_bytes(value) -> bytes:
    if isinstance(value, memoryview):
        return bytes(value)
    return str(value).encode() if not isinstance(value, bytes) else value


def _fresh_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_raw_rows_of_the_data_database_hold_no_plaintext_of_any_sensitive_value(make_customer):
    customer = make_customer(**SENSITIVE)
    record_interaction(
        customer=customer, channel="phone", note="Asked about her pacemaker order", actor="staff:1"
    )
    dumped = b"".join(
        _as_bytes(value)
        for table in ("customers_customer", "customers_interaction", "audit_auditevent")
        for row in _raw_rows(table)
        for value in row
    ).lower()
    needles = [*SENSITIVE.values(), "+12025550143", "grace", "hopper", "pacemaker"]
    for needle in needles:
        assert needle.lower().encode() not in dumped, needle
    assert Customer.objects.get().email == SENSITIVE["email"]


def test_ciphertext_moved_to_another_customer_fails_to_decrypt(make_customer):
    ada, bob = make_customer(email="ada@example.com"), make_customer(email="bob@example.com")
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET email = (SELECT email FROM customers_customer "
            "WHERE id = %s) WHERE id = %s",
            [
                ada.pk.hex if connections["default"].vendor == "sqlite" else ada.pk,
                bob.pk.hex if connections["default"].vendor == "sqlite" else bob.pk,
            ],
        )
    with pytest.raises(DecryptionFailed, match="another row or field"):
        customer_get(bob.pk).email  # noqa: B018


def test_ciphertext_moved_to_another_field_fails_to_decrypt(make_customer):
    customer = make_customer(email="ada@example.com", full_name="Ada Lovelace")
    key = customer.pk.hex if connections["default"].vendor == "sqlite" else customer.pk
    with connections["default"].cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET full_name = email WHERE id = %s", [key])
    reloaded = customer_get(customer.pk)
    assert reloaded.email == "ada@example.com"
    with pytest.raises(DecryptionFailed):
        reloaded.full_name  # noqa: B018


def test_after_destroy_key_every_field_says_it_is_erased(make_customer):
    customer = make_customer()
    record_interaction(customer=customer, channel="email", note="refund", actor="staff:1")
    assert destroy_key(subject_id=customer.pk) is True
    reloaded = customer_get(customer.pk)
    for field in ("email", "full_name", "phone", "external_id", "postal_address"):
        with pytest.raises(KeyDestroyed, match="erased"):
            getattr(reloaded, field)
    with pytest.raises(KeyDestroyed):
        Interaction.objects.get(customer=customer).note  # noqa: B018
    assert DataKey.objects.get(subject_id=customer.pk).wrapped_key is None
    assert destroy_key(subject_id=customer.pk) is False  # idempotent


def test_destroying_a_key_inside_a_scope_forgets_the_cached_key(make_customer):
    customer = make_customer()
    with key_scope():
        assert customer_get(customer.pk).email
        destroy_key(subject_id=customer.pk)
        with pytest.raises(KeyDestroyed):
            customer_get(customer.pk).email  # noqa: B018


def test_rotation_rewraps_every_key_and_keeps_every_customer_readable(make_customer, settings):
    customers = [make_customer() for _ in range(5)]
    old_key = settings.VAULT_MASTER_KEYS[0]
    new_key = _fresh_key()
    with override_settings(VAULT_MASTER_KEYS=[new_key, old_key]):
        call_command("rotate_master_key", "--batch-size", "2", stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert DataKey.objects.values("master_key_id").distinct().count() == 1
    with override_settings(VAULT_MASTER_KEYS=[new_key]):  # the old key is dropped
        for customer in customers:
            assert customer_get(customer.pk).email == customer.email


def test_dropping_a_master_key_before_rotation_is_a_clear_error(make_customer):
    customer = make_customer()
    with (
        override_settings(VAULT_MASTER_KEYS=[_fresh_key()]),
        pytest.raises(MasterKeyUnavailable, match="VAULT_MASTER_KEYS"),
    ):
        customer_get(customer.pk).email  # noqa: B018


def test_encrypted_fields_refuse_plaintext_queries_and_non_text_values(customer):
    with pytest.raises(TypeError, match="blind index"):
        list(Customer.objects.filter(email=customer.email))
    with pytest.raises(TypeError, match="str or None"):
        customer.email = b"raw bytes"


def test_a_key_scope_loads_each_key_once(make_customer, django_assert_num_queries):
    customer = make_customer()
    with key_scope():
        reloaded = customer_get(customer.pk)
        reloaded.email  # noqa: B018 (loads the key)
        again = customer_get(customer.pk)
        with django_assert_num_queries(0, using="keys"):
            assert again.full_name == customer.full_name
