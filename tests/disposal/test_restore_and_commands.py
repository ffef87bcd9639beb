"""Operator commands: erase_customer, verify_erasure, replay_erasures after a restore."""

import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, router

from consent.models import ConsentEvent
from customers.models import Customer, Interaction, Purchase
from disposal.models import ErasureRequest, ErasureSource
from disposal.services import request_erasure, run_erasure
from tests.backups import stored
from vault.exceptions import KeyDestroyed
from vault.models import DataKey, Tombstone
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")


def raw_copy(instance):
    """A row exactly as stored (ciphertext included), as a backup holds it."""
    return type(instance)(**stored(instance))


def restore(rows) -> None:
    """Put rows back as a database restore does: straight into the table, no model code."""
    for row in rows:
        fields = row._meta.concrete_fields
        with connections[router.db_for_write(type(row))].cursor() as cursor:
            columns = ", ".join(cursor.db.ops.quote_name(f.column) for f in fields)
            table = cursor.db.ops.quote_name(row._meta.db_table)
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.execute(
                # Names come from the models, values are parameters.
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                [f.get_db_prep_save(row.__dict__[f.attname], cursor.db) for f in fields],
            )


def erase_now(customer):
    request = request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="op")
    return run_erasure(request_id=request.pk)


def test_erase_customer_follows_the_steps_and_prints_the_certificate(history, capsys):
    customer = history()
    call_command("erase_customer", str(customer.pk), "--in-process")
    out = capsys.readouterr().out
    assert "done: key_destroyed" in out and "done: certified" in out
    assert '"rows_removed"' in out and str(subject_pseudonym(customer.pk)) in out
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_erase_customer_refuses_an_unknown_id():
    with pytest.raises(CommandError, match="No customer"):
        call_command("erase_customer", "not-a-uuid")


def test_verify_erasure_passes_a_finished_erasure_and_names_what_legal_holds_keep(history, capsys):
    request = erase_now(history())
    call_command("verify_erasure", str(request.pk))
    out = capsys.readouterr().out
    assert "Nothing of the subject is left." in out
    assert "customers.purchase: 2 row(s) kept under the pseudonym" in out


def test_verify_erasure_finds_what_an_interrupted_erasure_left(history):
    customer = history()
    request = request_erasure(customer_id=customer.pk, source="staff", actor="op")
    run_erasure(request_id=request.pk, until="processors_notified")
    with pytest.raises(CommandError, match="not complete"):
        call_command("verify_erasure", str(request.pk))


def test_a_restored_data_database_is_brought_back_in_line_by_replay(history, capsys):
    customer = history()
    backup = [raw_copy(customer), *map(raw_copy, Interaction.objects.filter(customer=customer))]
    lines = list(Purchase.objects.filter(customer=customer).values_list("pk", flat=True))
    request = erase_now(customer)

    # The restore: yesterday's rows are back (the key store, backed up apart, is not).
    restore(backup)
    Purchase.objects.filter(pk__in=lines).update(customer=customer.pk, subject_pseudonym=None)
    with pytest.raises(KeyDestroyed):
        _ = Customer.objects.get(pk=customer.pk).email  # back, but unreadable

    call_command("replay_erasures", "--dry-run")
    assert str(customer.pk) in capsys.readouterr().out
    call_command("replay_erasures")
    assert "Re-applied 1 erasure(s)." in capsys.readouterr().out
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Interaction.objects.filter(customer_id=customer.pk).exists()
    assert not Purchase.objects.filter(customer_id=customer.pk).exists()
    replayed = ErasureRequest.objects.exclude(pk=request.pk).get(
        subject_pseudonym=subject_pseudonym(customer.pk)
    )
    assert replayed.source == ErasureSource.REPLAY and replayed.status == "done"
    call_command("verify_erasure", str(replayed.pk))


def test_a_restored_key_store_loses_the_key_again_on_replay(history):
    customer = history()
    key_backup = raw_copy(DataKey.objects.get(subject_id=customer.pk))
    email = customer.email
    backup = raw_copy(customer)
    request = erase_now(customer)

    # Both restored from yesterday's backups: the key store's tombstone log is gone too,
    # but the data database's certificates still list the erasure.
    DataKey.objects.filter(subject_id=customer.pk).delete()
    Tombstone.objects.all().delete()
    restore([key_backup, backup])
    assert Customer.objects.get(pk=customer.pk).email == email  # readable again: the danger

    call_command("replay_erasures")
    assert DataKey.objects.get(subject_id=customer.pk).is_destroyed
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert Tombstone.objects.filter(pseudonym=request.subject_pseudonym).exists()
    assert ConsentEvent.objects.filter(customer_id=customer.pk).count() == 0


def test_replay_with_nothing_to_do_changes_nothing(customer, capsys):
    call_command("replay_erasures")
    assert "Re-applied 0 erasure(s)." in capsys.readouterr().out
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_export_customer_writes_the_export_to_a_private_file(history, tmp_path):
    customer = history()
    target = tmp_path / "export.json"
    call_command("export_customer", str(customer.pk), "--output", str(target))
    document = json.loads(target.read_text())
    assert document["categories"]["profile"]["records"]["customers.customer"][0]["email"] == (
        customer.email
    )
    assert target.stat().st_mode & 0o777 == 0o600


def test_export_customer_refuses_an_unknown_id():
    with pytest.raises(CommandError, match="No customer"):
        call_command("export_customer", str(uuid.uuid4()))
