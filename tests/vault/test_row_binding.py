"""Ciphertext is bound to its row: swapped between two rows of the same customer and
field it no longer opens; the data migration re-encrypts rows sealed the old way."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core import checks

from customers.models import Customer, EmailChange, Interaction, InteractionChannel
from customers.services import record_interaction
from disposal.models import Processor
from disposal.processors import save_processor
from vault import ciphers
from vault.exceptions import DecryptionFailed
from vault.fields import Sealed, associated_data
from vault.keys import SYSTEM_SUBJECT, data_cipher, key_scope

pytestmark = pytest.mark.django_db(databases="__all__")


def _notes(customer, *texts):
    return [
        record_interaction(
            customer=customer, channel=InteractionChannel.EMAIL, note=text, actor="staff:1"
        )
        for text in texts
    ]


def _raw(model, pk, field):
    return model.objects.filter(pk=pk).values_list(field, flat=True)[0]


def test_notes_swapped_between_two_interactions_do_not_open(customer):
    first, second = _notes(customer, "First note.", "Second note.")
    raw_first, raw_second = (
        _raw(Interaction, first.pk, "note"),
        _raw(Interaction, second.pk, "note"),
    )
    Interaction.objects.filter(pk=first.pk).update(note=raw_second)
    Interaction.objects.filter(pk=second.pk).update(note=raw_first)
    for pk in (first.pk, second.pk):
        with pytest.raises(DecryptionFailed):
            Interaction.objects.get(pk=pk).note  # noqa: B018


def test_every_model_with_encrypted_fields_binds_them_to_the_row():
    warnings = [m for m in checks.run_checks() if m.id == "vault.W001"]
    assert warnings == []


def _seal_the_old_way(model, pk, field, subject_id):
    """What the code before row binding wrote: "<subject>|<app.model.field>" only."""
    plain = getattr(model.objects.get(pk=pk), field)
    label = f"{model._meta.label_lower}.{field}"
    with key_scope():
        old = ciphers.seal(
            data_cipher(subject_id), plain.encode(), associated_data(subject_id, label, None)
        )
    model.objects.filter(pk=pk).update(**{field: Sealed(old)})
    return plain


@pytest.fixture
def old_rows(make_customer):
    customer = make_customer(full_name="Ada Lovelace", phone="+44 20 7946 0000")
    first, second = _notes(customer, "Old first.", "Old second.")
    change = EmailChange.objects.create(
        customer=customer,
        new_email="new@example.com",
        code_hash="x",
        expires_at=customer.created_at,
    )
    processor = save_processor(
        processor=Processor(
            name="Mailer",
            agreement_reference="DPA-1",
            agreement_signed_on=date(2026, 1, 1),
            categories=["profile"],
            webhook_url="https://mailer.example/hook",
        ),
        webhook_secret="s3cret",
    )
    expected = {}
    for name in ("external_id", "email", "full_name", "phone", "postal_address"):
        expected[(Customer, customer.pk, name)] = _seal_the_old_way(
            Customer, customer.pk, name, customer.pk
        )
    for note in (first, second):
        expected[(Interaction, note.pk, "note")] = _seal_the_old_way(
            Interaction, note.pk, "note", customer.pk
        )
    expected[(EmailChange, change.pk, "new_email")] = _seal_the_old_way(
        EmailChange, change.pk, "new_email", customer.pk
    )
    expected[(Processor, processor.pk, "webhook_secret")] = _seal_the_old_way(
        Processor, processor.pk, "webhook_secret", SYSTEM_SUBJECT
    )
    return expected


def _read(model, pk, field):
    with key_scope():
        return getattr(model.objects.get(pk=pk), field)


def test_rows_sealed_the_old_way_do_not_open_until_the_migration_rebinds_them(old_rows):
    for model, pk, field in old_rows:
        with pytest.raises(DecryptionFailed):
            _read(model, pk, field)
    importlib.import_module("customers.migrations.0004_bind_ciphertexts_to_rows").bind(apps, None)
    importlib.import_module("disposal.migrations.0005_bind_ciphertexts_to_rows").bind(apps, None)
    for (model, pk, field), plain in old_rows.items():
        assert _read(model, pk, field) == plain


def test_the_rebinding_migration_is_idempotent_and_leaves_new_rows_alone(old_rows):
    migration = importlib.import_module("customers.migrations.0004_bind_ciphertexts_to_rows")
    migration.bind(apps, None)
    before = {key: _raw(key[0], key[1], key[2]) for key in old_rows if key[0] is not Processor}
    migration.bind(apps, None)
    after = {key: _raw(key[0], key[1], key[2]) for key in before}
    assert before == after


def test_each_interaction_gets_its_own_row_id_at_creation(customer):
    _notes(customer, "a", "b")
    ids = set(Interaction.objects.values_list("vault_row_id", flat=True))
    assert len(ids) == 2 and None not in ids
