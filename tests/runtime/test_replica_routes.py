"""Which reads the router sends to the read replica (runtime/replica.py): the ones marked
as tolerating lag go to the `replica` alias when it is configured, and the rest of the
same work stays on the primary.

The alias here is a second connection to the test database itself, as
REPLICA_DATABASE_URL would add it: what is asserted is which connection ran each query,
so no standby is needed (tests/runtime/test_replica.py runs the replica itself against a
real streaming standby: lag, fallback, request pinning)."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from access.roles import Role
from audit.models import AuditAction
from recommendations.services import build_model
from runtime import replica
from runtime.replica import REPLICA
from tests.factories import staff_access

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    # Committed rows (the alias is another connection) and no test transaction around
    # the reads (the router keeps reads inside a transaction on the primary).
    pytest.mark.django_db(databases=("default", "keys"), transaction=True),
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning"),
]


@pytest.fixture
def replica_alias(settings, reference_data):
    config = dict(connections["default"].settings_dict)
    settings.DATABASES = {**settings.DATABASES, REPLICA: config}
    settings.REPLICA_CHECK_SECONDS = 0
    connections[REPLICA] = connections["default"].__class__(config, REPLICA)
    replica.health.forget()
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    replica.health.forget()


def _tables(captured, *, reads_only=True) -> set[str]:
    """The tables named after FROM or JOIN in the captured queries (reads only, or all)."""
    tables = set()
    for query in captured.captured_queries:
        sql = query["sql"]
        if reads_only and not sql.lstrip().upper().startswith(("SELECT", "WITH", "DECLARE")):
            continue
        for word in ("FROM", "JOIN"):
            for part in sql.split(f"{word} ")[1:]:
                tables.add(part.split()[0].strip('"'))
    return tables


def _writes(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY"))
    ]


def test_the_recommendation_build_reads_consents_and_purchases_on_the_replica(
    replica_alias, make_customer, buy, no_min_support
):
    for number in range(3):
        customer = make_customer()
        buy(customer, "BOOK-1")
        buy(customer, f"BOOK-{number + 2}")
    with (
        CaptureQueriesContext(replica_alias) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        build = build_model()
    assert build.customers == 3
    # The training read: consents, restrictions and purchases, on the replica.
    assert {
        "consent_consentstate",
        "customers_customer",
        "customers_purchase",
    } <= _tables(on_replica)
    assert "customers_purchase" not in _tables(on_primary)
    assert not _writes(on_replica)
    # Going live: the lock, the eligibility check again, and the writes, on the primary.
    primary = [query["sql"] for query in on_primary.captured_queries]
    assert any("pg_advisory_xact_lock" in sql for sql in primary)
    assert "consent_consentstate" in _tables(on_primary)
    assert _writes(on_primary)


def test_the_access_review_csv_reads_the_access_log_on_the_replica(
    replica_alias, client, make_staff, make_customer
):
    agent, officer = make_staff(Role.SUPPORT_AGENT), make_staff(Role.PRIVACY_OFFICER)
    customer = make_customer()
    staff_access(agent, customer, action=AuditAction.CUSTOMER_REVEALED)
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    with (
        CaptureQueriesContext(replica_alias) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get("/dashboard/privacy/access.csv")
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert str(customer.pk)[:8] in body and agent.get_username() in body
    # The events, the staff names and the review marks: the replica.
    assert {"audit_auditevent", "auth_user", "access_accessreview"} <= _tables(on_replica)
    assert "audit_auditevent" not in _tables(on_primary)
    assert not _writes(on_replica)
