"""The name token index (issue 27.1): each normalized token of a name as a keyed hash,
kept in step on create, update and erasure, rebuilt by its command and by the index key
rotation, and off (nothing stored) when CUSTOMER_NAME_INDEX is false."""

import base64
import io
import os

import pytest
from django.core.management import call_command

from customers.models import CustomerNameToken
from customers.name_index import COLUMN, customers_by_name, name_tokens
from customers.services import update_customer
from disposal import services as disposal_services
from vault.blind_index import blind_index
from vault.keyring import decode_key

pytestmark = pytest.mark.django_db(databases="__all__")


def test_tokens_fold_case_and_accents_and_drop_initials():
    assert name_tokens("  Zoë  MORIN-Lefèvre J. ") == ["zoe", "morin", "lefevre"]
    assert name_tokens("") == []


def test_one_token_finds_the_customer_and_all_tokens_must_match(make_customer):
    sam = make_customer(full_name="Sam Morin")
    ana = make_customer(full_name="Ana Morin")
    assert set(customers_by_name("morin")) == {sam, ana}
    assert customers_by_name("Sam MORIN") == [sam]
    assert customers_by_name("Mori") == []  # exact tokens, never prefixes
    assert customers_by_name("Sam Lefevre") == []


def test_no_plaintext_token_is_stored_and_each_is_a_keyed_hash(make_customer):
    sam = make_customer(full_name="Sam Morin")
    stored = set(
        CustomerNameToken.objects.filter(customer=sam).values_list("token_index", flat=True)
    )
    assert stored == {blind_index(COLUMN, "sam"), blind_index(COLUMN, "morin")}
    assert not any("morin" in value or "sam" in value for value in stored)


def test_a_new_name_replaces_the_old_tokens(make_customer):
    sam = make_customer(full_name="Sam Morin")
    update_customer(customer=sam, full_name="Sam Duval", actor="staff:1")
    assert customers_by_name("Morin") == []
    assert customers_by_name("duval") == [sam]


def test_erasure_removes_the_name_tokens(make_customer, django_capture_on_commit_callbacks):
    sam = make_customer(full_name="Sam Morin")
    with django_capture_on_commit_callbacks(execute=True):
        disposal_services.request_erasure(customer_id=sam.pk, source="staff", actor="staff:1")
    assert not CustomerNameToken.objects.filter(customer_id=sam.pk).exists()
    assert customers_by_name("Morin") == []


def test_the_command_backfills_and_with_the_setting_off_deletes(make_customer, settings):
    sam = make_customer(full_name="Sam Morin")
    CustomerNameToken.objects.all().delete()  # as before the index existed
    assert customers_by_name("Morin") == []
    out = io.StringIO()
    call_command("index_customer_names", stdout=out)
    assert "1 customer(s) re-indexed" in out.getvalue()
    assert customers_by_name("Morin") == [sam]
    settings.CUSTOMER_NAME_INDEX = False
    assert customers_by_name("Morin") == []
    call_command("index_customer_names", stdout=io.StringIO())
    assert not CustomerNameToken.objects.exists()
    make_customer(full_name="Ana Morin")
    assert not CustomerNameToken.objects.exists()


def test_rotating_the_index_key_rebuilds_the_name_tokens(make_customer, settings):
    sam = make_customer(full_name="Sam Morin")
    old = settings.VAULT_INDEX_KEY
    out = io.StringIO()
    call_command("rotate_index_key", "--derive-stable-keys", stdout=out, stderr=io.StringIO())
    for line in out.getvalue().split():
        setting, value = line.split("=", 1)
        setattr(settings, setting, value)
    settings.VAULT_INDEX_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.VAULT_RETIRED_INDEX_KEYS = [old]
    assert customers_by_name("Morin") == [sam]  # through the retired key meanwhile
    rotated = io.StringIO()
    call_command("rotate_index_key", stdout=rotated)
    assert "customers.customernametoken: 1 row(s) re-indexed" in rotated.getvalue()
    settings.VAULT_RETIRED_INDEX_KEYS = []
    assert customers_by_name("Morin") == [sam]
    under_old = blind_index(COLUMN, "morin", decode_key("k", old))
    assert not CustomerNameToken.objects.filter(token_index=under_old).exists()


def test_the_tokens_go_right_after_the_key_even_if_the_erasure_stops_there(make_customer):
    sam = make_customer(full_name="Sam Morin")
    request = disposal_services.request_erasure(customer_id=sam.pk, source="staff", actor="staff:1")
    disposal_services.run_erasure(request_id=request.pk, until="forgotten")
    assert not CustomerNameToken.objects.filter(customer_id=sam.pk).exists()


def test_customers_onboarded_in_bulk_are_found_by_name():
    from customers import onboarding

    items = [
        {
            "external_id": f"bulk-{n}",
            "email": f"bulk{n}@example.org",
            "full_name": name,
            "consents": {"account": True},
        }
        for n, name in enumerate(["Sam Morin", "Ana Duval"])
    ]
    results = onboarding.create_customers(items, actor="system:test")
    assert [result.status for result in results] == ["created", "created"]
    assert [c.pk for c in customers_by_name("duval")] == [results[1].id]


def test_demo_customers_are_found_by_name(reference_data):
    import io

    from customers.models import Customer

    call_command("seed_demo", "--customers", "3", stdout=io.StringIO())
    some = Customer.objects.first()
    assert some.full_name and some in customers_by_name(some.full_name)
