"""Celery entry points: rebuild the model on the beat schedule, and start again a build
whose run was cut short. No arguments, so no personal data ever travels through the
broker."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.services import enqueue
from recommendations.batches import apply_pending_forgets as apply_batch
from recommendations.models import BuildRun
from recommendations.services import build_model


def _lease_end():
    return timezone.now() + timedelta(seconds=settings.RECS_BUILD_LEASE_SECONDS)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=10)
def rebuild_recommendations() -> int:
    """Build and activate a new model; returns its build id."""
    run = BuildRun.objects.create(lease_expires_at=_lease_end())

    def renew(message: str) -> None:
        BuildRun.objects.filter(pk=run.pk).update(lease_expires_at=_lease_end())

    try:
        build = build_model(progress=renew)
    except Exception:
        # A failure is not an interruption: Celery's own retries (above) handle it.
        BuildRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), outcome="failed")
        raise
    BuildRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), outcome="built", build=build
    )
    return build.pk


@shared_task
def resume_interrupted_builds() -> int:
    """Beat, every minute: a run whose lease lapsed before it finished (its worker died)
    is marked interrupted and a new build is queued, unless a later run is under way."""
    now = timezone.now()
    with transaction.atomic():
        lapsed = list(
            BuildRun.objects.select_for_update()
            .filter(finished_at__isnull=True, lease_expires_at__lt=now)
            .values_list("pk", flat=True)
        )
        if not lapsed:
            return 0
        BuildRun.objects.filter(pk__in=lapsed).update(finished_at=now, outcome="interrupted")
        running = BuildRun.objects.filter(finished_at__isnull=True).exists()
        if not running:
            enqueue("recommendations.tasks.rebuild_recommendations")
    return len(lapsed)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=5)
def apply_pending_forgets() -> int:
    """Due RECS_FORGET_BATCH_SECONDS after an erasure's forget step, and every minute (a
    job lost with its worker): subtract every pending contribution in one batch."""
    return apply_batch()
