"""A fresh install needs no hand steps: the system's own key (under which processors'
webhook secrets and sealed change-feed ids live) is made on first use, from an empty key
store, by every surface that seals under it; a customer's key is never made implicitly."""

import uuid
from datetime import date

import pytest
from django.core.management import call_command

from disposal.models import Processor
from vault.exceptions import KeyMissing
from vault.fields import seal_text
from vault.models import DataKey
from vault.services import SYSTEM_SUBJECT

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def empty_key_store(reference_data):
    """As after `migrate` on a new machine: no data key at all."""
    DataKey.objects.all().delete()
    assert not DataKey.objects.exists()


def test_a_processor_registered_from_the_shell_on_a_fresh_install_is_saved(empty_key_store):
    processor = Processor.objects.create(
        name="Mail house",
        slug="mail-house",
        agreement_reference="DPA-1",
        agreement_signed_on=date(2026, 1, 1),
        categories=["profile"],
        webhook_url="https://mail.example.net/hooks/erasure",
        webhook_secret="whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
    )
    assert Processor.objects.get(pk=processor.pk).webhook_secret == (
        "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="
    )
    assert DataKey.objects.filter(subject_id=SYSTEM_SUBJECT).count() == 1


def test_customers_the_change_feed_and_the_audit_seal_work_from_an_empty_key_store(
    empty_key_store, capsys, settings
):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 0
    from changes.models import Change
    from tests.factories import CustomerFactory

    customer = CustomerFactory()  # a change-feed entry (sealed under the system key)
    assert Change.objects.filter(customer_id=customer.pk).exists()
    call_command("seal_audit")
    call_command("verify_audit")
    assert "verified; 0 newer events not yet sealed" in capsys.readouterr().out


def test_a_customers_key_is_never_made_implicitly(empty_key_store):
    with pytest.raises(KeyMissing):
        seal_text(subject_id=uuid.uuid4(), label="customers.customer.email", row_id=None, plain="x")
