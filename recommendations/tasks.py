"""Celery entry points: rebuild the model on the beat schedule. No arguments, so no
personal data ever travels through the broker."""

from celery import shared_task

from recommendations.services import build_model


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=60)
def rebuild_recommendations() -> int:
    """Build and activate a new model; returns its build id."""
    return build_model().pk
