"""Outbox jobs marked `after_response` (outbox/after_response.py): inside a request they
are handed over once the response is finished; outside one there is no "after", and
they are handed over on commit like any other job."""

import pytest

from outbox import after_response
from outbox.models import Job
from outbox.services import enqueue

pytestmark = pytest.mark.django_db(databases="__all__")


def test_outside_a_request_an_after_response_job_is_dispatched_on_commit(
    django_capture_on_commit_callbacks,
):
    assert not after_response.in_request()
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue("outbox.tasks.dispatch_pending", after_response=True)
    assert Job.objects.get(pk=job.pk).dispatched_at is not None


def test_inside_a_request_it_waits_for_the_end_of_the_response():
    after_response.request_started()
    try:
        job = enqueue("outbox.tasks.dispatch_pending", after_response=True)
        assert Job.objects.get(pk=job.pk).dispatched_at is None
    finally:
        after_response.request_finished()
    assert Job.objects.get(pk=job.pk).dispatched_at is not None
    assert not after_response.in_request()
