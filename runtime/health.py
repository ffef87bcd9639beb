"""Is this process able to serve? Each dependency checked on its own, quickly, by name:
the data database, the key store, the broker, and how long the outbox has waited."""

from django.conf import settings
from django.db import connections

from outbox.services import oldest_pending_age

OK = "ok"
# The outbox is healthy while its oldest due job waited less than this (the sweep runs
# every OUTBOX_SWEEP_SECONDS); longer means the broker or beat is down.
OUTBOX_STALE_SECONDS = 300


def _database(alias: str) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"unavailable ({type(error).__name__})"
    return OK


def _broker() -> str:
    if not settings.REDIS_URL:
        return "not used (tasks run in-process)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        return f"unavailable ({type(error).__name__})"
    return OK


def _outbox() -> str:
    try:
        age = oldest_pending_age()
    except Exception as error:
        return f"unknown ({type(error).__name__})"
    if age is None:
        return OK
    if age > OUTBOX_STALE_SECONDS:
        return f"jobs waiting {age:.0f} s"
    return OK


def readiness() -> tuple[bool, dict[str, str]]:
    checks = {
        "database": _database("default"),
        "key_store": _database("keys"),
        "broker": _broker(),
    }
    checks["outbox"] = _outbox() if checks["database"] == OK else "unknown"
    ready = all(
        value == OK or value.startswith("not used")
        for name, value in checks.items()
        if name != "outbox"
    )
    return ready, checks
