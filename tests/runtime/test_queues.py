"""Queues per job kind (crm_project/queues.py): off by default; when on, every task has
a queue that docker-compose's worker consumes."""

import re
from pathlib import Path

from celery import current_app

from crm_project.queues import ALL_QUEUES, DEFAULT_QUEUE, KINDS, task_routes

ROOT = Path(__file__).resolve().parents[2]


def test_routes_are_off_by_default_and_name_only_real_tasks():
    assert task_routes(False) == {}
    routes = task_routes(True)
    current_app.loader.import_default_modules()
    registered = set(current_app.tasks)
    assert set(routes) <= registered, set(routes) - registered
    assert routes["disposal.tasks.run_erasure"] == {"queue": "erasure"}
    assert routes["disposal.tasks.deliver_webhook"] == {"queue": "webhooks"}
    assert "runtime.tasks.ping" not in routes  # check_runtime --worker uses the default


def test_the_compose_worker_consumes_every_queue():
    compose = (ROOT / "docker-compose.yml").read_text()
    queues = re.search(r"WORKER_QUEUES:-([a-z,]+)\}", compose).group(1).split(",")
    assert sorted(queues) == sorted(ALL_QUEUES)
    assert DEFAULT_QUEUE in queues and set(KINDS) <= set(queues)
