"""When Redis is down, writes are still accepted: throttles fail open and every job a
write causes waits in the outbox until the broker is back, then runs once."""

import logging
import time

import pytest
from django.core.management import call_command

from customers.models import Customer
from disposal.models import ErasureRequest, ErasureStatus
from outbox.models import Job
from outbox.services import dispatch_pending

pytestmark = pytest.mark.django_db(databases="__all__")

NEW_CUSTOMER = {
    "external_id": "shop-outage-1",
    "email": "outage@example.com",
    "consents": {"account": True},
}


def test_a_cache_outage_lets_api_requests_through_with_a_warning(api_client, cache_down, caplog):
    with caplog.at_level(logging.WARNING, logger="api.authentication"):
        response = api_client.post("/api/v1/customers/", NEW_CUSTOMER, format="json")
    assert response.status_code == 201
    assert "throttle: cache unavailable" in caplog.text
    assert "outage@example.com" not in caplog.text


def test_with_the_broker_down_an_erasure_is_accepted_and_kept(
    api_client, broker_down, django_capture_on_commit_callbacks, caplog
):
    customer_id = api_client.post("/api/v1/customers/", NEW_CUSTOMER, format="json").json()["id"]
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_client.post(f"/api/v1/customers/{customer_id}/erasure/")
    assert accepted.status_code == 202
    assert time.monotonic() - started < 10  # a broker outage does not hold the request
    job = Job.objects.get(task="disposal.tasks.run_erasure")
    assert job.dispatched_at is None and job.last_error and job.args == [accepted.json()["id"]]
    assert "outbox: broker unavailable" in caplog.text
    assert dispatch_pending() == (0, 1)  # still down: kept

    broker_down(eager=True)  # the broker is back (in-process here)
    assert dispatch_pending() == (1, 0)
    assert ErasureRequest.objects.get().status == ErasureStatus.DONE
    assert not Customer.objects.filter(pk=customer_id).exists()
    assert dispatch_pending() == (0, 0)  # handed over once, never again


def test_the_operator_command_hands_over_what_waits(api_client, broker_down, capsys):
    customer_id = api_client.post("/api/v1/customers/", NEW_CUSTOMER, format="json").json()["id"]
    api_client.post(f"/api/v1/customers/{customer_id}/erasure/")
    broker_down(eager=True)
    call_command("dispatch_outbox")
    assert "Handed 1 job(s)" in capsys.readouterr().out
    assert ErasureRequest.objects.get().status == ErasureStatus.DONE


def test_outbox_jobs_take_ids_only():
    from outbox.services import enqueue

    with pytest.raises(TypeError):
        enqueue("disposal.tasks.run_erasure", {"email": "x@example.com"})


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_job_kept_through_an_outage_completes_once_the_broker_is_back(
    reference_data, api_client, broker_down
):
    """In CI the job goes to the real worker on Redis; without REDIS_URL, in-process."""
    customer_id = api_client.post("/api/v1/customers/", NEW_CUSTOMER, format="json").json()["id"]
    accepted = api_client.post(f"/api/v1/customers/{customer_id}/erasure/")
    assert accepted.status_code == 202
    assert Job.objects.get().dispatched_at is None

    broker_down()  # Redis is back
    assert dispatch_pending() == (1, 0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        request = ErasureRequest.objects.get(pk=accepted.json()["id"])
        if request.status in (ErasureStatus.DONE, ErasureStatus.FAILED):
            break
        time.sleep(0.2)
    assert request.status == ErasureStatus.DONE, request.error
    assert request.attempts == 1
    assert not Customer.objects.filter(pk=customer_id).exists()
