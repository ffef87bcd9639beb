"""The audit hash chain: sealing in id order, and verify_audit naming the first break.

Tampering here goes around the ORM (and, on PostgreSQL, around the append-only trigger
with pgtrigger.ignore) the way someone with database access would."""

import contextlib
import io
import uuid
from datetime import timedelta

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditAction, AuditEvent, AuditSeal, AuditSealEntry
from audit.services import record_event, seal_pending_events
from audit.tasks import seal_audit_events
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")

EVENT_TRIGGERS = (
    "audit.AuditEvent:audit_event_update_refused",
    "audit.AuditEvent:audit_event_delete_refused",
)
SEAL_TRIGGERS = (
    "audit.AuditSeal:audit_seal_update_refused",
    "audit.AuditSeal:audit_seal_delete_refused",
    "audit.AuditSealEntry:audit_seal_entry_update_refused",
    "audit.AuditSealEntry:audit_seal_entry_delete_refused",
)


@pytest.fixture(autouse=True)
def _seal_at_once(settings):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 0


def tampering():
    """What an attacker with database access does: past the ORM and the triggers."""
    if connection.vendor == "postgresql":
        return pgtrigger.ignore(*EVENT_TRIGGERS, *SEAL_TRIGGERS)
    return contextlib.nullcontext()


def events(count: int, *, subject_id=None) -> list[AuditEvent]:
    made = []
    with transaction.atomic():
        for number in range(count):
            made.append(
                record_event(
                    actor="staff:7",
                    action=AuditAction.CUSTOMER_VIEWED,
                    object_type="customers.customer",
                    object_id=subject_id or number,
                    subject_id=subject_id,
                    purpose="support",
                    metadata={"n": number},
                )
            )
    return made


def command(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def verify(*args) -> str:
    return command("verify_audit", *args)


def verify_fails(match: str) -> str:
    """verify_audit exits 1 (CommandError) naming `match`; returns what it printed."""
    out = io.StringIO()
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_sealing_seals_every_event_in_id_order_one_seal_per_batch_each_after_the_last():
    made = events(5)

    seals = seal_pending_events(batch_size=2)

    assert [seal.event_count for seal in seals] == [2, 2, 1]
    assert [seal.number for seal in seals] == [1, 2, 3]
    assert seals[0].previous_digest == chain.GENESIS
    assert seals[1].previous_digest == seals[0].digest
    assert seals[2].previous_digest == seals[1].digest
    assert list(AuditSealEntry.objects.values_list("event_id", flat=True)) == [
        event.pk for event in made
    ]
    assert (seals[0].first_event_id, seals[0].last_event_id) == (made[0].pk, made[1].pk)


def test_sealing_twice_seals_nothing_new_and_the_next_run_takes_only_new_events():
    events(3)
    assert seal_audit_events.delay().get() == 3
    assert seal_audit_events.delay().get() == 0
    assert AuditSeal.objects.count() == 1

    events(2)
    assert seal_audit_events.delay().get() == 2
    assert AuditSeal.objects.count() == 2


def test_events_younger_than_the_settle_time_wait_for_the_next_run(settings):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 3600
    events(2)
    assert seal_pending_events() == []
    assert seal_pending_events(settle_seconds=0)[0].event_count == 2


def test_the_sealer_never_seals_past_an_event_that_has_not_settled():
    """Ids are a prefix: an unsettled event stops the batch even if later ones settled."""
    first, _late, later = events(3)
    with tampering():  # first and later are old; late was committed just now
        models.QuerySet.update(
            AuditEvent.objects.filter(pk__in=[first.pk, later.pk]),
            occurred_at=timezone.now() - timedelta(hours=1),
        )
    seals = seal_pending_events(settle_seconds=60)
    assert [(seal.first_event_id, seal.last_event_id) for seal in seals] == [(first.pk, first.pk)]
    assert later.pk not in set(AuditSealEntry.objects.values_list("event_id", flat=True))


def test_the_seal_job_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "audit.tasks.seal_audit_events" in tasks


def test_an_intact_chain_verifies_with_a_summary():
    events(5)
    seal_pending_events(batch_size=2)
    events(1)

    out = verify()

    assert "5 events in 3 seals verified; 1 newer events not yet sealed." in out
    head = AuditSeal.objects.get(number=3)
    assert f"Head seal #3 digest {head.digest}" in out
    assert "verified" in verify("--expect-head", f"3:{head.digest}")


def test_seal_audit_reports_its_progress_and_then_that_nothing_is_new():
    events(3)
    text = command("seal_audit", "--batch-size", "2", "--settle-seconds", "0")
    text += command("seal_audit", "--settle-seconds", "0")
    assert "seal #1: events" in text and "seal #2: events" in text
    assert "Sealed 3 events in 2 seals" in text
    assert text.rstrip().endswith("Nothing new to seal.")


def test_an_altered_event_is_named_and_verification_exits_1():
    made = events(4)
    seal_pending_events(batch_size=2)
    with tampering():
        models.QuerySet.update(AuditEvent.objects.filter(pk=made[2].pk), actor="staff:8")

    verify_fails(rf"event {made[2].pk} altered")


@pytest.mark.parametrize(
    "change",
    [
        {"purpose": "marketing"},
        {"action": AuditAction.CUSTOMER_REVEALED},
        {"object_type": "customers.interaction"},
        {"object_id": "999"},
        {"metadata": {"n": 99}},
        {"subject_id": uuid.uuid4()},
        {"subject_pseudonym": uuid.uuid4()},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_change_to_any_sealed_column_is_caught(change):
    (event,) = events(1)
    seal_pending_events()
    with tampering():
        models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), **change)

    verify_fails(rf"event {event.pk} altered")


def test_a_deleted_event_is_named_as_missing():
    made = events(3)
    seal_pending_events()
    with tampering():
        models.QuerySet.delete(AuditEvent.objects.filter(pk=made[1].pk))

    verify_fails(rf"event {made[1].pk} missing")


def test_an_event_inserted_into_the_sealed_range_is_named_as_inserted_out_of_order():
    def insert(*ids):  # explicit ids, as a hand-written INSERT would give
        AuditEvent.objects.bulk_create(
            AuditEvent(id=event_id, actor="system", action=AuditAction.DEMO_SEEDED, object_type="x")
            for event_id in ids
        )

    insert(10_000_010, 10_000_020)
    seal_pending_events()
    insert(10_000_015)

    verify_fails(r"event 10000015 inserted")


def test_the_first_broken_event_is_named_first():
    made = events(5)
    seal_pending_events(batch_size=2)
    with tampering():
        models.QuerySet.update(AuditEvent.objects.filter(pk=made[3].pk), actor="staff:9")
        models.QuerySet.delete(AuditEvent.objects.filter(pk=made[1].pk))

    out = verify_fails(rf"event {made[1].pk} missing: it was sealed and is gone \(deleted\)$")
    assert f"First broken event: event {made[1].pk} missing" in out
    assert f"event {made[3].pk} altered" in out


def test_a_rewritten_seal_or_entry_breaks_the_chain():
    made = events(4)
    seal_pending_events(batch_size=2)
    with tampering():
        # Alter an event and "fix" its entry: the seal over the entries no longer matches.
        models.QuerySet.update(AuditEvent.objects.filter(pk=made[0].pk), actor="staff:8")
        row = AuditEvent.objects.filter(pk=made[0].pk).values(*chain.EVENT_FIELDS).get()
        models.QuerySet.update(
            AuditSealEntry.objects.filter(event_id=made[0].pk), digest=chain.event_digest(row)
        )
    verify_fails(r"seal #1 altered: its entries do not match its digest")


def test_a_deleted_seal_breaks_the_chain():
    made = events(3)
    seal_pending_events(batch_size=1)
    with tampering():
        models.QuerySet.delete(AuditSealEntry.objects.filter(seal__number=2))
        models.QuerySet.delete(AuditSeal.objects.filter(number=2))

    out = verify_fails(rf"event {made[1].pk} inserted")
    assert "seal #2 missing" in out


def test_a_chain_rebuilt_without_the_key_does_not_verify():
    events(2)
    seal_pending_events()
    with tampering():
        models.QuerySet.update(AuditSeal.objects.all(), digest="f" * 64)
    verify_fails(r"seal #1 altered: its digest does not match its fields")


def test_expect_head_catches_a_chain_cut_short():
    events(2)
    seal_pending_events(batch_size=1)
    head = AuditSeal.objects.get(number=2)
    with tampering():
        models.QuerySet.delete(AuditSealEntry.objects.filter(seal=head))
        models.QuerySet.delete(AuditSeal.objects.filter(pk=head.pk))
        # The event it sealed goes too: what is left verifies on its own.
        models.QuerySet.delete(AuditEvent.objects.filter(pk=head.first_event_id))
    assert "1 events in 1 seals verified" in verify()
    with pytest.raises(CommandError, match="seal #2 is gone"):
        verify("--expect-head", f"2:{head.digest}")


def test_seals_made_under_another_key_are_reported_as_such(settings):
    events(1)
    seal_pending_events()
    settings.VAULT_PSEUDONYM_KEY = "A" * 43 + "="
    out = verify_fails(r"seal #1 made under another key")
    assert "event digests were not compared" in out


def test_rotating_the_blind_index_key_leaves_the_chain_verifiable(settings):
    """Seals and pseudonyms use the pseudonym key, which never rotates."""
    events(2, subject_id=uuid.uuid4())
    seal_pending_events()
    old = settings.VAULT_INDEX_KEY
    settings.VAULT_PSEUDONYM_KEY = old
    settings.VAULT_RETIRED_INDEX_KEYS = [old]
    settings.VAULT_INDEX_KEY = "B" * 43 + "="
    assert "2 events in 1 seals verified" in verify()


def test_the_chain_survives_the_pseudonymization_erasure_does():
    subject = uuid.uuid4()
    pseudonym = subject_pseudonym(subject)
    about = events(2, subject_id=subject)
    seal_pending_events()

    # Exactly what vault.registry.PersonalData.erase does to audit rows.
    rows = AuditEvent.objects.filter(subject_id=subject)
    models.QuerySet.update(rows, subject_id=None, subject_pseudonym=pseudonym)
    naming = AuditEvent.objects.filter(object_id=str(subject))
    models.QuerySet.update(naming, object_id=str(pseudonym))

    assert set(
        AuditEvent.objects.filter(pk__in=[e.pk for e in about]).values_list(
            "subject_id", "subject_pseudonym", "object_id"
        )
    ) == {(None, pseudonym, str(pseudonym))}
    assert "2 events in 1 seals verified" in verify()


def test_a_forged_pseudonym_is_caught():
    """The trigger lets the pseudonymization's shape through; only the chain can tell
    that the pseudonym is not the subject's."""
    subject = uuid.uuid4()
    (event,) = events(1, subject_id=subject)
    seal_pending_events()
    forged = uuid.uuid4()
    models.QuerySet.update(
        AuditEvent.objects.filter(pk=event.pk), subject_id=None, subject_pseudonym=forged
    )
    verify_fails(rf"event {event.pk} altered")


def test_an_empty_chain_verifies_and_says_nothing_is_sealed_yet():
    events(2)
    out = verify()
    assert "0 events in 0 seals verified; 2 newer events not yet sealed." in out
    assert "No seal yet" in out
