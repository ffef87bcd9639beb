"""A worker killed (SIGKILL) in the middle of an erasure: the job is not lost (acks late,
rejected on worker loss, redelivered after the visibility timeout) and a new worker
finishes it once, with one certificate. Needs what CI has: PostgreSQL and Redis."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from disposal.models import DisposalRecord, ErasureRequest, ErasureStatus, ErasureStep
from disposal.tasks import resume_stalled_erasures, run_erasure
from tests.factories import CustomerFactory
from vault.models import DataKey
from vault.services import subject_pseudonym

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="kills real Celery workers: needs REDIS_URL and a PostgreSQL DATABASE_URL (CI)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
QUEUE = f"crash-test-{uuid.uuid4().hex[:8]}"


def _url(alias: str) -> str:
    db = connections[alias].settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(name: str, **extra_env) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _url("default"),
        "KEYS_DATABASE_URL": _url("keys"),
        "CELERY_VISIBILITY_TIMEOUT": "3",
        **extra_env,
    }
    return subprocess.Popen(  # noqa: S603 (our own worker command, no outside input)
        [sys.executable, "-m", "celery", "-A", "crm_project", "worker", "-Q", QUEUE,
         "--pool=solo", "--loglevel=INFO", f"--hostname={name}-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def wait(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_an_erasure_whose_worker_is_killed_completes_once_after_a_restart(reference_data, settings):
    customer = CustomerFactory()
    request = ErasureRequest.objects.create(
        subject_id=customer.pk,
        subject_pseudonym=subject_pseudonym(customer.pk),
        source="staff",
        requested_by="staff:1",
        due_by=timezone.localdate(),
    )
    # The first worker destroys the key, then sleeps before the next step: killed there.
    first = start_worker("doomed", ERASURE_TEST_PAUSE=f"{ErasureStep.FORGOTTEN.value}:120")
    try:
        run_erasure.apply_async((str(request.pk),), queue=QUEUE)
        assert wait(lambda: DataKey.objects.get(subject_id=customer.pk).is_destroyed)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        halfway = ErasureRequest.objects.get(pk=request.pk)
        assert halfway.status == ErasureStatus.RUNNING
        assert halfway.steps_done == [ErasureStep.KEY_DESTROYED.value]
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    second = start_worker("rescuer")
    try:
        finished = lambda: ErasureRequest.objects.get(pk=request.pk).status == ErasureStatus.DONE  # noqa: E731
        # Redis redelivers the unacknowledged job after the visibility timeout; when that
        # is slow, beat's stall sweep (run here as beat would) restarts it: either way
        # the erasure completes once.
        if not wait(finished, 30):
            settings.ERASURE_STALL_MINUTES = 0
            resume_stalled_erasures()
        assert wait(finished, 90), "the killed worker's erasure never completed"
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)
    done = ErasureRequest.objects.get(pk=request.pk)
    assert done.attempts >= 2  # the killed run, then the one that finished
    assert done.steps_done == [step.value for step in ErasureStep]
    assert DisposalRecord.objects.filter(erasure_request=done).count() == 1
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
