"""v1.3, exactly once across failures: the stored Idempotency-Key answer is written in
the same transaction as its effect. The database connection is dropped (as a restart or
a failover would) between the effect and the answer; the retry then runs the request for
the first time, and a second retry replays its answer: one effect, never two. A request
that died frees its key at once; one still running is a 409."""

import pytest
from django.db import connection, connections

from api import idempotency
from api.models import IdempotentReply
from audit.models import AuditAction, AuditEvent
from changes.models import Change
from consent.models import ConsentEvent
from customers.models import Customer

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a PostgreSQL connection"),
    pytest.mark.usefixtures("reference_data"),
]


def person(number: int) -> dict:
    return {
        "external_id": f"shop-{number}",
        "email": f"person{number}@example.com",
        "full_name": f"Person {number}",
        "consents": {"account": True},
    }


def terminate(pid: int) -> None:
    """pg_terminate_backend from another connection, as a failover would do it."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def drop_before_the_answer(monkeypatch):
    """The next answer to be stored meets a dead connection: the effect has been
    written, the answer not yet."""
    stored = idempotency.finish
    dropped = []

    def finish(pending, response):
        if not dropped:
            dropped.append(response.status_code)
            terminate(connection.connection.info.backend_pid)
        return stored(pending, response)

    monkeypatch.setattr(idempotency, "finish", finish)
    return dropped


def send(client, url, body, token):
    client.raise_request_exception = False
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=token)


def test_a_dropped_connection_before_the_answer_leaves_no_effect_and_the_retry_runs_once(
    client, customer, drop_before_the_answer
):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    body = {"purpose": "analytics", "granted": True}
    events = ConsentEvent.objects.filter(customer_id=customer.pk, purpose__code="analytics")
    audited = AuditEvent.objects.filter(
        action=AuditAction.CONSENT_GRANTED, subject_id=customer.pk, purpose="analytics"
    )
    feed = Change.objects.filter(customer_id=customer.pk, kind="consent")
    feed_before = feed.count()
    failed = send(client, url, body, "consent-1")
    assert drop_before_the_answer == [201]
    assert failed.status_code == 503
    assert not events.exists() and not IdempotentReply.objects.exists()
    retried = send(client, url, body, "consent-1")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    replayed = send(client, url, body, "consent-1")
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == retried.json()
    assert events.count() == 1
    assert audited.count() == 1
    assert feed.count() == feed_before + 1


def test_a_dropped_connection_during_a_bulk_create_stores_nothing_and_the_retry_creates_all(
    client, drop_before_the_answer
):
    people = [person(number) for number in range(200)]
    failed = send(client, "/api/v1/customers/", people, "bulk-1")
    assert drop_before_the_answer == [201]
    assert failed.status_code == 503
    assert not Customer.objects.exists() and not IdempotentReply.objects.exists()
    retried = send(client, "/api/v1/customers/", people, "bulk-1")
    assert retried.status_code == 201
    assert (retried.json()["created"], retried.json()["duplicates"]) == (200, 0)
    replayed = send(client, "/api/v1/customers/", people, "bulk-1")
    assert replayed["Idempotent-Replayed"] == "true" and replayed.json() == retried.json()
    assert Customer.objects.count() == 200
    assert AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CREATED).count() == 200


def test_a_request_that_died_frees_its_key_at_once(client, customer):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    body = {"purpose": "analytics", "granted": True}
    # Another server process took the key and died with its connection.
    doomed = connections.create_connection("default")
    doomed.set_autocommit(False)
    with doomed.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_of(client, "died")])
        cursor.execute("SELECT pg_backend_pid()")
        terminate(cursor.fetchone()[0])
    doomed.close()  # Django's side of the dead connection
    assert send(client, url, body, "died").status_code == 201


def test_a_request_still_running_is_a_409_and_the_key_is_free_when_it_ends(client, customer):
    url = f"/api/v1/customers/{customer.pk}/consents/"
    body = {"purpose": "analytics", "granted": True}
    running = connections.create_connection("default")
    running.set_autocommit(False)
    try:
        with running.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_of(client, "busy")])
        busy = send(client, url, body, "busy")
        assert busy.status_code == 409 and "still running" in busy.json()["detail"]
        assert not ConsentEvent.objects.filter(purpose__code="analytics").exists()
    finally:
        running.rollback()
        running.close()
    assert send(client, url, body, "busy").status_code == 201


def lock_of(client, token: str) -> int:
    return idempotency.lock_id(client.api_key.pk, idempotency._digest(token))


def test_a_request_whose_server_vanished_is_ended_by_the_database_within_seconds(
    client, customer, settings, monkeypatch
):
    """A server that vanishes without closing its connection leaves its transaction
    idle: PostgreSQL ends it after IDEMPOTENCY_IDLE_SECONDS, which frees the key."""
    settings.IDEMPOTENCY_IDLE_SECONDS = 1
    seen = []
    stored = idempotency.finish

    def finish(pending, response):
        with connection.cursor() as cursor:
            cursor.execute("SHOW idle_in_transaction_session_timeout")
            seen.append(cursor.fetchone()[0])
        return stored(pending, response)

    monkeypatch.setattr(idempotency, "finish", finish)
    url = f"/api/v1/customers/{customer.pk}/consents/"
    assert send(client, url, {"purpose": "analytics", "granted": True}, "idle").status_code == 201
    assert seen == ["1s"]
    with connection.cursor() as cursor:  # only that request's transaction was bounded
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "0"
