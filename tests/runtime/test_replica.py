"""The read replica (runtime/replica.py), against a real streaming standby of the test
server started by this module (tests/streaming_replica.py).

A paused replay makes the replica visibly behind: a read that comes back stale was
served by the replica, one that sees the newest row was served by the primary."""

import time

import pytest
from django.db import connection, connections, transaction
from django.test import RequestFactory
from prometheus_client import REGISTRY

from access.roles import Role
from audit.models import AuditAction
from audit.services import record_event
from customers.models import Customer
from customers.selectors import live_customer_ids
from runtime import replica
from runtime.replica import REPLICA, ReplicaRequestMiddleware, ReplicaRouter, replica_reads
from tests.factories import CustomerFactory
from tests.streaming_replica import StreamingReplica
from vault.models import DataKey

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(databases=("default", "keys"), transaction=True),
]


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        server = StreamingReplica(dict(connections["default"].settings_dict)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def with_replica(standby, settings, reference_data):
    """The `replica` alias, as REPLICA_DATABASE_URL would configure it; replay running."""
    config = standby.settings_dict()
    settings.DATABASES = {**settings.DATABASES, REPLICA: config}
    settings.REPLICA_CHECK_SECONDS = 0
    # A connection made here, not one of the test run's databases (Django's test case
    # forbids those it was not told about, and would flush a told one: read-only here).
    connections[REPLICA] = connections["default"].__class__(config, REPLICA)
    replica.health.forget()
    yield standby
    standby.resume_replay()
    connections[REPLICA].close()
    del connections[REPLICA]
    replica.health.forget()


def _fallbacks(reason: str) -> float:
    return (
        REGISTRY.get_sample_value("custodian_replica_fallback_reads_total", {"reason": reason})
        or 0.0
    )


def _behind(standby) -> tuple[Customer, Customer]:
    """A customer the replica has, then one it has not (replay paused)."""
    old = CustomerFactory()
    standby.catch_up()
    standby.pause_replay()
    return old, CustomerFactory()


def _seen(customer) -> bool:
    return Customer.objects.filter(pk=customer.pk).exists()


def test_lag_tolerant_reads_go_to_the_replica_and_nothing_else_does(with_replica):
    old, new = _behind(with_replica)
    with replica_reads():
        assert _seen(old) and not _seen(new)  # the replica, behind
        # The live-customer check, the key store and reads inside a transaction: primary.
        assert live_customer_ids([old.pk, new.pk]) == {old.pk, new.pk}
        assert DataKey.objects.filter(subject_id=new.pk).exists()
        assert ReplicaRouter().db_for_read(DataKey) is None
        with transaction.atomic():
            assert _seen(new)
    assert _seen(new)  # unmarked reads: primary
    with_replica.resume_replay()
    with_replica.catch_up()
    with replica_reads():
        assert _seen(new)


def test_a_request_reads_from_the_primary_once_it_has_written(with_replica):
    _, new = _behind(with_replica)
    seen = {}

    def view(request):
        with replica_reads():
            seen["before"] = _seen(new)
        with transaction.atomic():
            record_event(
                actor="system",
                action=AuditAction.PRODUCT_SAVED,
                object_type="customers.product",
                object_id=1,
            )
        with replica_reads():
            seen["after"] = _seen(new)
        return None

    ReplicaRequestMiddleware(view)(RequestFactory().get("/dashboard/customers/"))
    assert seen == {"before": False, "after": True}
    ReplicaRequestMiddleware(lambda request: seen.update(post=_marked_read(new)))(
        RequestFactory().post("/api/v1/purchases/")
    )
    assert seen["post"] is True


def test_the_staff_list_may_lag_but_a_customers_page_never_does(with_replica, client, make_staff):
    staff = make_staff(Role.SUPPORT_AGENT)
    old, new = _behind(with_replica)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    listing = client.get("/dashboard/customers/")
    assert listing.status_code == 200
    assert str(old.pk)[:8] in listing.content.decode()
    assert str(new.pk)[:8] not in listing.content.decode()  # the replica, behind
    assert client.get(f"/dashboard/customers/{new.pk}/").status_code == 200  # the primary


def _marked_read(customer) -> bool:
    with replica_reads():
        return _seen(customer)


def test_a_lagging_replica_is_skipped_and_counted(with_replica, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    _, new = _behind(with_replica)
    deadline = time.monotonic() + 30
    before = _fallbacks("lagging")
    while time.monotonic() < deadline and not _marked_read(new):
        CustomerFactory()  # the primary moves on; the paused replica falls behind
        time.sleep(0.5)
    assert _marked_read(new)  # served by the primary
    assert _fallbacks("lagging") > before


def test_a_down_replica_is_skipped_counted_and_shown_to_the_scraper(with_replica, settings, client):
    settings.METRICS_TOKEN = "scrape-secret"
    customer = CustomerFactory()
    with_replica.halt()
    try:
        before = _fallbacks("down")
        with replica_reads():
            assert _seen(customer)  # from the primary, no error
        assert _fallbacks("down") > before
        scrape = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
        assert scrape.status_code == 200
        assert b'custodian_replica_fallback_reads_total{reason="down"}' in scrape.content
    finally:
        with_replica.resume()
