"""Celery entry points of the API: purge stored Idempotency-Key answers past their window."""

from celery import shared_task

from api import idempotency


@shared_task
def purge_idempotent_replies() -> int:
    """Delete answers older than IDEMPOTENCY_HOURS; returns how many went."""
    return idempotency.purge()
