"""A worker killed (SIGKILL) in the middle of an email send: the job is not lost (acks
late, redelivered after the visibility timeout, or handed over again by the sweep) and
a new worker finishes the send with nobody mailed twice. The workers write their mail
to files, which the test reads. Needs what CI has: PostgreSQL and Redis."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from campaigns.models import Campaign, CampaignStatus, Recipient, RecipientStatus, Segment
from campaigns.services import start_send
from campaigns.tasks import resume_stalled_sends
from crm_project.celery import app as celery_app
from tests.campaigns.conftest import MARKETING_EMAIL
from tests.deployed import database_url
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="kills real Celery workers: needs REDIS_URL and a PostgreSQL DATABASE_URL (CI)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
QUEUE = f"campaign-crash-{uuid.uuid4().hex[:8]}"
TASK = "campaigns.tasks.send_campaign_batch"


def reroute(table) -> None:
    """Celery caches its routing table and router once it has sent a task (earlier
    tests did): change the table and drop both, or the send goes to the default queue."""
    celery_app.conf.task_routes = table
    celery_app.amqp.flush_routes()
    del celery_app.amqp.router


def start_worker(name: str, mail_dir: Path, **extra_env) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url("default"),
        "KEYS_DATABASE_URL": database_url("keys"),
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops one slash
        "CAMPAIGNS_BATCH_SIZE": "100",
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


def mailed_to(mail_dir: Path) -> Counter:
    found = Counter()
    for path in mail_dir.iterdir():
        found.update(re.findall(r"^To: (\S+)$", path.read_text(), flags=re.MULTILINE))
    return found


def test_a_send_whose_worker_is_killed_finishes_without_mailing_anyone_twice(
    reference_data, settings, tmp_path
):
    people = [CustomerFactory(consents=MARKETING_EMAIL) for _ in range(6)]
    segment = Segment.objects.create(name="All", created_by="staff:1")
    campaign = Campaign.objects.create(
        name="Crash", segment=segment, channel="email", subject="Hi", body="Hello",
        holdout_percent=0, created_by="staff:1",
    )  # fmt: skip
    routes = celery_app.conf.task_routes
    reroute({TASK: {"queue": QUEUE}})
    sent = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.SENT)
    # The first worker mails two recipients, then sleeps: killed there.
    first = start_worker("doomed", tmp_path, CAMPAIGNS_TEST_PAUSE="2:120")
    try:
        start_send(campaign_id=campaign.pk, actor="staff:1")  # the outbox hands it over
        assert wait(lambda: sent.count() == 2)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert sum(mailed_to(tmp_path).values()) == 2
        second = start_worker("rescuer", tmp_path)
        try:
            done = lambda: Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.SENT  # noqa: E731
            if not wait(done, 30):
                settings.CAMPAIGNS_STALL_MINUTES = 0  # beat's sweep, run here as beat would
                resume_stalled_sends()
            assert wait(done, 90), "the killed worker's send never finished"
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=20)
    finally:
        reroute(routes)
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert mailed_to(tmp_path) == Counter({person.email: 1 for person in people})
    assert sent.count() == 6
