"""What every job does when a service it needs goes away mid-run: a lost database
connection (a restart, a failover) or a lost broker connection is retried with backoff
on fresh connections, so an interrupted job resumes within seconds of the service's
return instead of waiting for a stall sweep. Jobs are idempotent, so a retry after any
step finishes the work once."""

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from kombu.exceptions import OperationalError as BrokerError

CONNECTION_ERRORS = (OperationalError, InterfaceError, BrokerError)
MAX_BACKOFF_SECONDS = 30
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def is_deadlock(error: Exception) -> bool:
    """Did the database roll this transaction back to break a deadlock (worth a retry)?"""
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def backoff(retries: int) -> int:
    """1, 2, 4, 8 ... seconds, at most MAX_BACKOFF_SECONDS."""
    return min(2**retries, MAX_BACKOFF_SECONDS)


def retry_on_lost_connection(task, error: Exception) -> None:
    """Drop every database connection (a dead one would fail the retry too) and retry
    the task; raises celery's Retry, or the error once JOB_CONNECTION_RETRIES are spent."""
    connections.close_all()
    raise task.retry(
        exc=error,
        countdown=backoff(task.request.retries),
        max_retries=settings.JOB_CONNECTION_RETRIES,
    )
