"""The read replica: which reads may go to it, and what happens when it cannot serve.

With REPLICA_DATABASE_URL set, settings add a `replica` database alias (a PostgreSQL
streaming standby of the data database) and `ReplicaRouter`. Nothing goes there by
default: a read goes to the replica only inside `replica_reads()`, which marks a read
that tolerates a few seconds of lag (the staff customer list, the metrics charts and
their CSV downloads, the /metrics scrape, the access review's CSV, the recommendation
build's read of consents and purchases). Even inside that block the primary answers:

- the key store (vault, its own `keys` database: the router ahead of this one sends it
  there, and this one refuses it too);
- inside a transaction (a service reads what it just wrote, or locks it);
- after a write in the same request (`ReplicaRequestMiddleware` pins the request to
  the primary from its first ORM write; POST, PUT, PATCH and DELETE are pinned from
  the start);
- when the replica is down or lags more than REPLICA_MAX_LAG_SECONDS: the read falls
  back to the primary and `custodian_replica_fallback_reads_total{reason}` counts it.

The live-customer check (customers.selectors.live_customer_ids) reads the primary even
inside `replica_reads()` (`primary_reads()`), and no service runs inside that block: a
customer erased a second ago must be refused now.

Health is checked at most every REPLICA_CHECK_SECONDS per process, with one query on
the replica: a replica that stops between two checks fails the reads sent to it until
the next check (an outage answer, runtime/outage.py), then they fall back.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import QuerySet

from runtime.metrics import REPLICA_FALLBACK_READS, REPLICA_LAG

logger = logging.getLogger("runtime")

REPLICA = "replica"
DOWN, LAGGING = "down", "lagging"

_lag_tolerant: ContextVar[bool] = ContextVar("custodian_replica_reads", default=False)
# Per request: {"wrote": bool}; None outside a request (tasks, commands).
_request: ContextVar[dict | None] = ContextVar("custodian_replica_request", default=None)

# Seconds the replica's last replayed transaction is behind, or 0 when it has replayed
# all it received; on a server that is not a standby (a plain copy), 0.
LAG_QUERY = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def is_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block tolerate lag: the router may send them to the replica."""
    token = _lag_tolerant.set(True)
    try:
        yield
    finally:
        _lag_tolerant.reset(token)


def pinned(queryset: QuerySet) -> QuerySet:
    """The queryset fixed to the database the router picks for it now: inside
    `replica_reads()`, the replica when it may serve. For a read consumed after the
    block, such as a streamed export's iterator."""
    return queryset.using(queryset.db)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads in this block go to the primary, even inside `replica_reads()` (the
    live-customer check: a customer erased a second ago is refused now)."""
    token = _lag_tolerant.set(False)
    try:
        yield
    finally:
        _lag_tolerant.reset(token)


class _Health:
    """The replica's state as last checked by this process (None: never checked)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.checked_at: float | None = None
        self.problem: str | None = None

    def forget(self) -> None:
        with self._lock:
            self.checked_at, self.problem = None, None

    def problem_now(self) -> str | None:
        """None when the replica may serve, else why not ("down", "lagging")."""
        now = time.monotonic()
        with self._lock:
            fresh = (
                self.checked_at is not None
                and now - self.checked_at < settings.REPLICA_CHECK_SECONDS
            )
            if fresh:
                return self.problem
            self.checked_at = now
        problem = self._check()
        with self._lock:
            self.problem = problem
        return problem

    def _check(self) -> str | None:
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_QUERY)
                lag = float(cursor.fetchone()[0])
        except DatabaseError as error:
            logger.warning(
                "read replica unavailable (%s): reads go to the primary", type(error).__name__
            )
            with suppress(DatabaseError):
                connection.close()
            return DOWN
        REPLICA_LAG.set(lag)
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("read replica %.0f s behind: reads go to the primary", lag)
            return LAGGING
        return None


health = _Health()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _lag_tolerant.get() or not is_configured():
            return None
        if model._meta.app_label == "vault":
            return None
        request = _request.get()
        if request is not None and request["wrote"]:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        problem = health.problem_now()
        if problem is not None:
            REPLICA_FALLBACK_READS.labels(problem).inc()
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        request = _request.get()
        if request is not None:
            request["wrote"] = True
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class ReplicaRequestMiddleware:
    """Pins a request to the primary once it writes (or from the start when its method
    writes), so that it reads what it wrote."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set({"wrote": request.method not in self.SAFE_METHODS})
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
