"""Record jobs with the write that causes them; hand them to Celery after commit.

`enqueue` is called inside the caller's transaction: the job exists exactly when the write
committed. Right after commit it is handed to the broker; if the broker is unreachable
the job stays in the table and `dispatch_pending` (Celery beat, every OUTBOX_SWEEP_SECONDS;
also `manage.py dispatch_outbox`) hands it over once the broker is back. Tasks are
idempotent on their ids, so a job handed over twice (a crash between hand-over and
marking it) does no harm.
"""

import importlib
import logging
import uuid
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox import after_response as after_response_queue
from outbox.models import Job

logger = logging.getLogger(__name__)


def enqueue(task: str, *args: str, countdown: float = 0, after_response: bool = False) -> Job:
    """Record a job (task name and ids) in the current transaction; dispatch on commit,
    or, with `after_response` inside a request, once the response is finished
    (outbox/after_response.py)."""
    if any(not isinstance(arg, (str, int)) for arg in args):
        raise TypeError("Outbox jobs take ids only.")
    job = Job.objects.create(
        task=task,
        args=[str(arg) for arg in args],
        available_at=timezone.now() + timedelta(seconds=countdown),
    )
    if countdown:
        return job
    if after_response and after_response_queue.in_request():
        after_response_queue.defer(job.pk)
    else:
        transaction.on_commit(lambda: dispatch(job.pk))
    return job


def _task(name: str):
    """The registered task; outside a worker its module is imported on first use
    (Celery's autodiscovery runs at worker start only)."""
    if name not in current_app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def dispatch(job_id: uuid.UUID) -> bool:
    """Hand one job to Celery; True when the broker took it. Never raises for a broker
    outage: the job stays pending and the sweep retries it."""
    claimed = Job.objects.filter(pk=job_id, dispatched_at__isnull=True).first()
    if claimed is None:
        return False
    if current_app.conf.task_always_eager:
        # No broker (the embedded default): the task runs here and now, and its own
        # errors are its own, not a reason to keep the job.
        Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now(), attempts=1)
        _task(claimed.task).apply_async(args=claimed.args, task_id=str(claimed.pk))
        return True
    try:
        _task(claimed.task).apply_async(args=claimed.args, task_id=str(claimed.pk))
    except Exception as error:
        Job.objects.filter(pk=job_id).update(
            attempts=F("attempts") + 1, last_error=type(error).__name__
        )
        logger.warning(
            "outbox: broker unavailable, job %s (%s) kept for the sweep: %s",
            job_id,
            claimed.task,
            type(error).__name__,
        )
        return False
    Job.objects.filter(pk=job_id).update(
        dispatched_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def pending_jobs(limit: int = 500) -> list[uuid.UUID]:
    return list(
        Job.objects.filter(dispatched_at__isnull=True, available_at__lte=timezone.now())
        .order_by("available_at")
        .values_list("pk", flat=True)[:limit]
    )


KEEP_DISPATCHED = timedelta(days=7)


def dispatch_pending(limit: int = 500) -> tuple[int, int]:
    """Hand over every due job; (handed over, still pending). Stops at the first broker
    failure, since the rest would fail the same way. Jobs handed over a week ago go."""
    Job.objects.filter(dispatched_at__lt=timezone.now() - KEEP_DISPATCHED).delete()
    handed = 0
    due = pending_jobs(limit)
    for job_id in due:
        if not dispatch(job_id):
            break
        handed += 1
    return handed, len(due) - handed


def oldest_pending_age() -> float | None:
    """Seconds the oldest due, undispatched job has waited (health and metrics)."""
    oldest = (
        Job.objects.filter(dispatched_at__isnull=True, available_at__lte=timezone.now())
        .order_by("available_at")
        .values_list("available_at", flat=True)
        .first()
    )
    return (timezone.now() - oldest).total_seconds() if oldest else None
