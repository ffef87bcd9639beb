"""The Celery application. Tasks live in each app's tasks.py and take ids only."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

from runtime.logs import bind_celery_request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")

app = Celery("crm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Log lines written by a task carry the id of the request that queued it (runtime.logs).
bind_celery_request_ids(app)


@task_prerun.connect(weak=False)
@task_postrun.connect(weak=False)
def _check_connections(sender=None, **kwargs) -> None:
    """Around each task, as around each request: a connection past CONN_MAX_AGE or left
    unusable by an error is closed, and the next query checks a kept one first
    (CONN_HEALTH_CHECKS), so a restarted PostgreSQL costs one failed check."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
