"""The outbox sweep (Celery beat)."""

from celery import shared_task

from outbox import services


@shared_task
def dispatch_pending() -> int:
    handed, _left = services.dispatch_pending()
    return handed
