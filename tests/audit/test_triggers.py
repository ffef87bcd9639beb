"""On PostgreSQL the database itself refuses to rewrite audit history: raw SQL (anyone
with a connection, past the ORM) can neither UPDATE nor DELETE audit events, seals or
seal entries; the one UPDATE allowed is erasure's pseudonymization of a subject.

SQLite has no such triggers (the ORM refuses instead, tests/audit/test_models.py); CI
runs the suite on PostgreSQL, where these run."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent, AuditSealEntry
from audit.services import record_event, seal_pending_events
from vault.services import subject_pseudonym

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only triggers exist on PostgreSQL only (CI runs on PostgreSQL)",
    ),
]


def sql(statement: str, *params) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def refused(statement: str, *params) -> None:
    with pytest.raises(DatabaseError, match="audit rows are append-only"):
        sql(statement, *params)


@pytest.fixture
def event():
    subject = uuid.uuid4()
    with transaction.atomic():
        return record_event(
            actor="staff:7",
            action=AuditAction.CUSTOMER_VIEWED,
            object_type="customers.customer",
            object_id=subject,
            subject_id=subject,
            purpose="support",
        )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "staff:8"),
        ("action", "customer.revealed"),
        ("purpose", "marketing"),
        ("object_id", "someone-else"),
        ("metadata", '{"n": 1}'),
        ("occurred_at", "2020-01-01T00:00:00Z"),
    ],
)
def test_a_raw_update_of_an_audit_event_is_refused(event, column, value):
    refused(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", value, event.pk)  # noqa: S608


def test_a_raw_delete_of_an_audit_event_is_refused(event):
    refused("DELETE FROM audit_auditevent WHERE id = %s", event.pk)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_unlinking_a_subject_without_a_pseudonym_or_moving_it_to_another_is_refused(event):
    refused("UPDATE audit_auditevent SET subject_id = NULL WHERE id = %s", event.pk)
    refused("UPDATE audit_auditevent SET subject_id = %s WHERE id = %s", uuid.uuid4(), event.pk)
    # Pseudonymizing while changing anything else is refused too.
    refused(
        "UPDATE audit_auditevent SET subject_id = NULL, subject_pseudonym = %s, actor = 'x' "
        "WHERE id = %s",
        uuid.uuid4(),
        event.pk,
    )


def test_an_object_id_may_only_become_the_rows_own_pseudonym(event):
    pseudonym = subject_pseudonym(event.subject_id)
    sql(
        "UPDATE audit_auditevent SET subject_id = NULL, subject_pseudonym = %s WHERE id = %s",
        pseudonym,
        event.pk,
    )
    refused("UPDATE audit_auditevent SET object_id = 'other' WHERE id = %s", event.pk)
    assert sql("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", str(pseudonym), event.pk)
    # Once pseudonymized, the pseudonym itself is fixed.
    refused(
        "UPDATE audit_auditevent SET subject_pseudonym = %s WHERE id = %s", uuid.uuid4(), event.pk
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.subject_id, event.subject_pseudonym, event.object_id) == (
        None,
        pseudonym,
        str(pseudonym),
    )


def test_seals_and_seal_entries_cannot_be_updated_or_deleted(event, settings):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 0
    (seal,) = seal_pending_events()
    refused("UPDATE audit_auditseal SET digest = %s WHERE id = %s", "0" * 64, seal.pk)
    refused("DELETE FROM audit_auditseal WHERE id = %s", seal.pk)
    refused("UPDATE audit_auditsealentry SET digest = %s WHERE event_id = %s", "0" * 64, event.pk)
    refused("DELETE FROM audit_auditsealentry WHERE event_id = %s", event.pk)
    assert AuditSealEntry.objects.get(event_id=event.pk).seal_id == seal.pk
