"""Celery entry points of the portal: they take ids, never personal data."""

import logging
import smtplib

from celery import shared_task
from django.db import transaction

from outbox.services import enqueue
from portal import email_undo, signin
from vault.services import key_scope

logger = logging.getLogger(__name__)

# A mail server that refused is asked again this much later, while the code is young.
MAIL_RETRY_SECONDS = 30


@shared_task(acks_late=True)
def mail_sign_in_code(code_id: str) -> str:
    """Mail a sign-in code; when the mail server is down, an outbox job tries again
    (kept in the database, so neither a worker nor a broker restart loses it)."""
    try:
        with key_scope():
            return signin.mail_code(code_id=code_id)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("sign-in mail for %s not sent (%s); retrying", code_id, type(error).__name__)
        with transaction.atomic():
            enqueue(signin.MAIL_TASK, code_id, countdown=MAIL_RETRY_SECONDS)
        return "retry"


@shared_task(acks_late=True)
def mail_email_undo(undo_id: str) -> str:
    """Mail the old address its undo link; retried like the sign-in mail."""
    try:
        with key_scope():
            return email_undo.mail_undo(undo_id=undo_id)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("undo mail for %s not sent (%s); retrying", undo_id, type(error).__name__)
        with transaction.atomic():
            enqueue(email_undo.MAIL_TASK, undo_id, countdown=MAIL_RETRY_SECONDS)
        return "retry"


@shared_task
def prune_email_undos() -> int:
    """Used and expired email-change undo links, and the old addresses they kept."""
    return email_undo.prune()
