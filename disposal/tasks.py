"""Celery entry points: they take ids, never personal data, and call services."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from disposal import processors, retention, services
from disposal.models import DeliveryStatus, ErasureRequest, ErasureStatus, WebhookDelivery
from outbox.services import enqueue
from runtime.jobs import CONNECTION_ERRORS, retry_on_lost_connection
from vault.services import key_scope

# A request that failed this often waits for an operator (erase_customer --resume).
MAX_AUTOMATIC_ATTEMPTS = 5


@shared_task(bind=True, acks_late=True)
def run_erasure(self, request_id: str) -> str:
    try:
        with key_scope():
            return services.run_erasure(
                request_id=request_id,
                holder=self.request.id or "",
                batch_size=settings.ERASURE_BATCH_SIZE,
            ).status
    except CONNECTION_ERRORS as error:
        # The database (a restart, a failover) or the broker went away mid-run: the
        # steps done are recorded, so the retry resumes where this run stopped.
        retry_on_lost_connection(self, error)
        raise


@shared_task(acks_late=True, autoretry_for=CONNECTION_ERRORS, retry_backoff=2, max_retries=8)
def deliver_webhook(delivery_id: str) -> str:
    before = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True)
    tried_before = before.first()
    delivery = processors.attempt_delivery(delivery_id=delivery_id)
    # Only the job that made an attempt schedules the next one (a duplicate job finds
    # the delivery not yet due and leaves it to the job already waiting).
    if delivery.status == DeliveryStatus.PENDING and delivery.attempts != tried_before:
        # The retry is an outbox job due at the next attempt: kept in the database, so a
        # broker restart loses no retry, and handed over by the sweep when due.
        delay = max((delivery.next_attempt_at - timezone.now()).total_seconds(), 0)
        with transaction.atomic():
            enqueue("disposal.tasks.deliver_webhook", delivery_id, countdown=delay)
    return delivery.status


@shared_task
def deliver_due_webhooks() -> int:
    """The outbox sweep: sends what a lost message or a restart left behind."""
    due = processors.due_deliveries()
    for delivery_id in due:
        processors.attempt_delivery(delivery_id=delivery_id)
    return len(due)


@shared_task
def resume_stalled_erasures() -> int:
    """Start again every erasure whose worker died (its lease lapsed: beat runs this
    every minute) or whose message was lost (pending or failed for a while)."""
    now = timezone.now()
    stalled_before = now - timedelta(minutes=settings.ERASURE_STALL_MINUTES)
    lapsed = Q(status=ErasureStatus.RUNNING, lease_expires_at__lt=now)
    waiting = Q(
        Q(status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING], lease_expires_at=None)
        | Q(status=ErasureStatus.FAILED, attempts__lt=MAX_AUTOMATIC_ATTEMPTS),
        requested_at__lt=stalled_before,
    ) & ~Q(started_at__gte=stalled_before)
    stalled = ErasureRequest.objects.filter(lapsed | waiting)
    ids = [str(pk) for pk in stalled.values_list("pk", flat=True)]
    for request_id in ids:
        run_erasure.delay(request_id)
    return len(ids)


@shared_task
def apply_retention() -> dict:
    with key_scope():
        outcomes = retention.apply_retention()
    return {outcome.policy: outcome.count for outcome in outcomes}
