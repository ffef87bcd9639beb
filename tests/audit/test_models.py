import pytest
from django.db import transaction

from audit.models import AppendOnlyError, AuditAction, AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db(databases="__all__")


def _event() -> AuditEvent:
    with transaction.atomic():
        return record_event(
            actor="system", action=AuditAction.DEMO_SEEDED, object_type="x", object_id=1
        )


def test_audit_events_cannot_be_changed_or_deleted():
    event = _event()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(actor="someone")
    assert AuditEvent.objects.get().actor == "system"


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_audit_events_are_written_inside_the_services_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        record_event(actor="system", action=AuditAction.DEMO_SEEDED, object_type="x", object_id=1)


def test_audit_metadata_refuses_free_text_that_could_carry_personal_data():
    with pytest.raises(ValueError, match="metadata"), transaction.atomic():
        record_event(
            actor="system",
            action=AuditAction.CUSTOMER_UPDATED,
            object_type="customers.customer",
            object_id=1,
            metadata={"note": "ada@example.com"},
        )


def test_audit_rows_of_a_new_customer_hold_ids_not_personal_data(make_customer):
    make_customer(email="ada@example.com", full_name="Ada Lovelace", external_id="shop-42")
    for event in AuditEvent.objects.all():
        text = " ".join(str(value) for value in vars(event).values()).lower()
        # Whole values and words that hex ids cannot spell ("ada" can: a UUID is hex).
        for personal in ("ada@example.com", "lovelace", "shop-42", "example.com"):
            assert personal not in text
