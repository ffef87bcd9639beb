"""Celery entry point: prune the change feed on the beat schedule (no arguments)."""

from celery import shared_task

from changes.services import prune_changes


@shared_task
def prune_change_feed() -> int:
    return prune_changes()
