"""Erasure notices in the embedded default (no broker, no beat): a failed delivery waits
for its next attempt on a doubling schedule, and the web process's own sweep sends it
when it is due; a failed delivery can be sent again (service, command)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from disposal import processors, services
from disposal.models import DeliveryStatus, Processor, WebhookDelivery
from disposal.tasks import deliver_due_webhooks, deliver_webhook
from outbox import embedded
from outbox.models import Job

pytestmark = pytest.mark.django_db(databases="__all__")
DOWN = "http://127.0.0.1:9/down"


@pytest.fixture
def failing_delivery(customer, settings, django_capture_on_commit_callbacks):
    """A customer disclosed to a processor that is down, then erased: the first attempt
    of the notice has failed."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_RETRY_SECONDS = 30
    processor = processors.save_processor(
        processor=Processor(
            name="Down Co", agreement_reference="DPA-1", agreement_signed_on=date(2026, 1, 1),
            categories=["profile"], webhook_url=DOWN,
        ),
        webhook_secret="s",
    )  # fmt: skip
    processors.record_disclosure(
        processor=processor, customer_id=customer.pk, categories=["profile"], actor="api:k"
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(customer_id=customer.pk, source="api", actor="api:k")
    return WebhookDelivery.objects.get(erasure_request=request)


def make_due(delivery):
    """Let the clock pass the next attempt (of the delivery and of its outbox job)."""
    past = timezone.now() - timedelta(seconds=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=past)
    Job.objects.filter(dispatched_at__isnull=True).update(available_at=past)


def test_a_failed_delivery_waits_for_its_next_attempt(failing_delivery):
    delivery = failing_delivery
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 25 < wait <= 30
    job = Job.objects.get(task="disposal.tasks.deliver_webhook", dispatched_at__isnull=True)
    assert job.args == [str(delivery.pk)] and job.available_at >= delivery.next_attempt_at
    # Sweeping before it is due sends nothing.
    assert deliver_due_webhooks() == 0
    deliver_webhook(str(delivery.pk))  # a duplicate job that came early
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_the_embedded_sweep_sends_it_when_due_and_the_delay_doubles(
    failing_delivery, client, settings
):
    settings.EMBEDDED_SWEEP_SECONDS = 30
    embedded.reset()
    make_due(failing_delivery)
    client.get("/healthz")  # any request ends with the sweep, at most every 30 s
    delivery = WebhookDelivery.objects.get(pk=failing_delivery.pk)
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.PENDING
    assert 55 < (delivery.next_attempt_at - timezone.now()).total_seconds() <= 60
    make_due(delivery)
    client.get("/healthz")  # within 30 s of the last sweep: none
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 2


def test_the_embedded_sweep_is_off_with_a_broker(settings):
    settings.EMBEDDED_SWEEP_SECONDS = 0
    embedded.reset()
    assert embedded.sweep_if_due() is False


def test_all_attempts_span_hours_not_seconds(settings):
    settings.WEBHOOK_RETRY_SECONDS = 30
    total = sum(
        processors.retry_delay(n).total_seconds() for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)
    )
    assert total >= 3600


def test_a_failed_delivery_is_sent_again_with_fresh_attempts(
    failing_delivery, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    WebhookDelivery.objects.filter(pk=failing_delivery.pk).update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        processors.redeliver(delivery_id=failing_delivery.pk, actor="staff:1")
    delivery = WebhookDelivery.objects.get(pk=failing_delivery.pk)
    assert delivery.attempts == 1 and delivery.status == DeliveryStatus.FAILED  # tried now
    assert delivery.notice_customer_id  # still sealed, still deliverable
    event = AuditEvent.objects.get(action=AuditAction.WEBHOOK_REDELIVERED)
    assert event.object_id == str(delivery.pk) and event.actor == "staff:1"


def test_a_delivered_notice_cannot_be_sent_again(failing_delivery):
    WebhookDelivery.objects.filter(pk=failing_delivery.pk).update(
        status=DeliveryStatus.DELIVERED, notice_customer_id=None
    )
    with pytest.raises(ValidationError):
        processors.redeliver(delivery_id=failing_delivery.pk, actor="staff:1")


def test_the_command_queues_failed_deliveries_again(failing_delivery, capsys):
    WebhookDelivery.objects.filter(pk=failing_delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=8
    )
    call_command("redeliver_webhooks", "--failed")
    assert "1 delivery(ies) queued again." in capsys.readouterr().out
    delivery = WebhookDelivery.objects.get(pk=failing_delivery.pk)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts <= 1
    with pytest.raises(CommandError, match="Name delivery ids"):
        call_command("redeliver_webhooks")
    with pytest.raises(CommandError, match="No delivery"):
        call_command("redeliver_webhooks", "00000000-0000-0000-0000-000000000001")
