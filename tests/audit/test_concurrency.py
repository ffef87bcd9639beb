"""The chain under concurrent writers (PostgreSQL): an event whose transaction is still
open is never overtaken by a seal, and two sealers at once never fork the chain."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from audit.models import AuditAction, AuditSeal, AuditSealEntry
from audit.services import record_event, seal_pending_events

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def _record(label: str):
    return record_event(
        actor="system", action=AuditAction.DEMO_SEEDED, object_type="x", object_id=label
    )


def test_an_event_in_a_transaction_still_open_holds_back_every_later_event(settings):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 0
    inserted, release, done = threading.Event(), threading.Event(), []

    def slow_writer():
        try:
            with transaction.atomic():
                done.append(_record("slow").pk)
                inserted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert inserted.wait(timeout=30)
        with transaction.atomic():
            quick = _record("quick")  # a later id, committed first
        assert quick.pk > done[0]
        # The slow event is not visible yet; sealing the quick one would put it behind.
        assert seal_pending_events() == []
    finally:
        release.set()
        writer.join()

    (seal,) = seal_pending_events()
    assert list(AuditSealEntry.objects.values_list("event_id", flat=True)) == [done[0], quick.pk]
    assert seal.event_count == 2
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "2 events in 1 seals verified" in out.getvalue()


def test_two_sealers_at_once_never_fork_the_chain(settings):
    settings.AUDIT_SEAL_SETTLE_SECONDS = 0
    with transaction.atomic():
        for number in range(50):
            _record(str(number))
    barrier, sealed = threading.Barrier(2), []

    def sealer():
        barrier.wait()
        try:
            sealed.extend(seal_pending_events(batch_size=10))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    seals = list(AuditSeal.objects.order_by("number"))
    assert [seal.number for seal in seals] == [1, 2, 3, 4, 5]
    assert sum(seal.event_count for seal in sealed) == 50
    assert AuditSealEntry.objects.count() == 50
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "50 events in 5 seals verified" in out.getvalue()
