"""The Celery application. Tasks live in each app's tasks.py and take ids only."""

import os

from celery import Celery

from runtime.logs import bind_celery_request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")

app = Celery("crm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Log lines written by a task carry the id of the request that queued it (runtime.logs).
bind_celery_request_ids(app)
