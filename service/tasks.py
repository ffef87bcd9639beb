"""Celery entry points: they take ids, never personal data, and call services."""

from celery import shared_task

from service import services
from vault.services import key_scope


@shared_task(acks_late=True)
def notify_reply(note_id: str) -> bool:
    with key_scope():
        return services.notify_customer_of_reply(note_id=note_id)
