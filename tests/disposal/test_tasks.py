"""Beat jobs: stalled erasures start again, the outbox sweep sends what is due."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from disposal import services, tasks
from disposal.models import (
    DeliveryStatus,
    ErasureRequest,
    ErasureStatus,
    Processor,
    WebhookDelivery,
)
from disposal.processors import save_processor

pytestmark = pytest.mark.django_db(databases="__all__")


def age(request, minutes):
    ErasureRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - timedelta(minutes=minutes),
        started_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_a_stalled_erasure_is_run_again_and_a_fresh_one_is_left_alone(make_customer, settings):
    settings.ERASURE_BATCH_SIZE = 1  # a job would take the fresh one along otherwise
    stalled_customer, fresh_customer = make_customer(), make_customer()
    stalled = services.request_erasure(customer_id=stalled_customer.pk, source="api", actor="a")
    services.run_erasure(request_id=stalled.pk, until="key_destroyed")  # then the worker died
    age(stalled, 60)
    fresh = services.request_erasure(customer_id=fresh_customer.pk, source="api", actor="a")

    assert tasks.resume_stalled_erasures() == 1
    assert ErasureRequest.objects.get(pk=stalled.pk).status == ErasureStatus.DONE
    assert ErasureRequest.objects.get(pk=fresh.pk).status == ErasureStatus.PENDING


def lease(request, seconds: float, holder: str = "worker-a") -> None:
    """As a run leaves it: running, steps under way, a lease ending in `seconds`."""
    ErasureRequest.objects.filter(pk=request.pk).update(
        status=ErasureStatus.RUNNING,
        started_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(seconds=seconds),
        lease_holder=holder,
    )


def test_a_running_erasure_whose_lease_lapsed_is_resumed_at_once(make_customer):
    dead, alive = make_customer(), make_customer()
    orphaned = services.request_erasure(customer_id=dead.pk, source="api", actor="a")
    services.run_erasure(request_id=orphaned.pk, until="key_destroyed")
    lease(orphaned, -1)  # its worker died a second ago, minutes before the stall rule
    working = services.request_erasure(customer_id=alive.pk, source="api", actor="a")
    lease(working, 60)

    assert tasks.resume_stalled_erasures() == 1
    assert ErasureRequest.objects.get(pk=orphaned.pk).status == ErasureStatus.DONE
    assert ErasureRequest.objects.get(pk=working.pk).status == ErasureStatus.RUNNING


def test_a_second_job_leaves_an_erasure_whose_lease_another_job_holds(customer):
    request = services.request_erasure(customer_id=customer.pk, source="api", actor="a")
    lease(request, 60, holder="worker-a")

    services.run_erasure(request_id=request.pk, holder="worker-b")  # a redelivered duplicate
    assert ErasureRequest.objects.get(pk=request.pk).steps_done == []
    # The holder's own retry (the same task id) takes it over and finishes it.
    services.run_erasure(request_id=request.pk, holder="worker-a")
    done = ErasureRequest.objects.get(pk=request.pk)
    assert done.status == ErasureStatus.DONE and done.attempts == 1
    assert done.lease_expires_at is None


def test_a_request_that_failed_too_often_waits_for_an_operator(customer):
    request = services.request_erasure(customer_id=customer.pk, source="api", actor="a")
    ErasureRequest.objects.filter(pk=request.pk).update(
        status=ErasureStatus.FAILED, attempts=tasks.MAX_AUTOMATIC_ATTEMPTS
    )
    age(request, 60)
    assert tasks.resume_stalled_erasures() == 0


def test_the_outbox_sweep_sends_only_what_is_due(customer, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    processor = save_processor(
        processor=Processor(
            name="P",
            agreement_reference="DPA-1",
            agreement_signed_on=timezone.localdate(),
            categories=["profile"],
            webhook_url="http://127.0.0.1:9/down",
        ),
        webhook_secret="s",
    )
    request = services.request_erasure(customer_id=customer.pk, source="api", actor="a")
    due = WebhookDelivery.objects.create(
        processor=processor,
        erasure_request=request,
        notice_customer_id=str(customer.pk),
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    assert tasks.deliver_due_webhooks() == 1
    due.refresh_from_db()
    assert due.attempts == 1 and due.status == DeliveryStatus.PENDING
    assert due.next_attempt_at > timezone.now()  # backed off
    assert tasks.deliver_due_webhooks() == 0


def test_extend_erasure_records_the_reason_and_refuses_too_much(customer, capsys):
    request = services.request_erasure(customer_id=customer.pk, source="api", actor="a")
    call_command("extend_erasure", str(request.pk), "--months", "2", "--reason", "Backups")
    request.refresh_from_db()
    assert request.extended_months == 2 and request.extension_reason == "Backups"
    assert f"Due by {request.due_by}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="At most 0 more"):
        call_command("extend_erasure", str(request.pk), "--months", "1", "--reason", "More")
