"""A Celery worker keeps its database connections between tasks (CONN_MAX_AGE), as the
web processes do: Celery's Django fix-up would otherwise close them before and after
every task, and opening two (data and key store) was most of a short job's time."""

from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from crm_project.celery import _check_connections, app

pytestmark = pytest.mark.django_db(transaction=True)

JOB = SimpleNamespace(request=SimpleNamespace(is_eager=False))


def run_one_task(fixup: DjangoWorkerFixup) -> int:
    """What a worker does around a task (the fix-up's hooks and ours); returns the
    PostgreSQL backend (or SQLite connection) that served the task's query."""
    fixup.on_task_prerun(sender=JOB)
    _check_connections(sender=JOB)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            served_by = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT 1")
            served_by = id(connection.connection)
    fixup.on_task_postrun(sender=JOB)
    _check_connections(sender=JOB)
    return served_by


def test_tasks_share_one_connection_between_them(reference_data):
    fixup = DjangoWorkerFixup(app)
    assert fixup.db_reuse_max  # CELERY_DB_REUSE_MAX is set
    assert len({run_one_task(fixup) for _ in range(5)}) == 1


def test_without_the_setting_every_task_would_open_its_own(reference_data):
    fixup = DjangoWorkerFixup(app)
    fixup.db_reuse_max = None  # Celery's default
    assert len({run_one_task(fixup) for _ in range(3)}) == 3


def test_a_connection_left_broken_by_a_task_is_replaced_before_the_next(reference_data):
    fixup = DjangoWorkerFixup(app)
    first = run_one_task(fixup)
    connection.connection.close()  # the server went away under it
    connection.errors_occurred = True  # as Django marks it after a failed query
    assert run_one_task(fixup) != first
