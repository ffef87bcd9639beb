"""Celery entry points: they take ids, never personal data, and call services."""

from celery import shared_task

from consent import confirmations
from vault.services import key_scope


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def mail_confirmation(confirmation_id: str) -> bool:
    with key_scope():
        return confirmations.mail_confirmation(confirmation_id=confirmation_id)
