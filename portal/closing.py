"""Closing the account from the portal: the customer is mailed the number of their
erasure certificate just before their key is destroyed (a hook of the erasure run,
disposal.services.register_before_key_destroyed), while their address can still be
read. The mail says what the close page and the status page say: the certificate, the
request, and the day old backups can no longer be read."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation

from customers.models import Customer
from disposal.models import ErasureRequest, ErasureSource
from portal import mail

logger = logging.getLogger(__name__)


def mail_certificate(*, request: ErasureRequest) -> None:
    """Tell a customer who closed their account in the portal their certificate number.
    A mail failure is logged (by request id) and the erasure goes on."""
    if request.source != ErasureSource.PORTAL or not request.certificate_id:
        return
    customer = Customer.objects.filter(pk=request.subject_id).first()
    if customer is None:
        return
    context = {
        "certificate": str(request.certificate_id),
        "request": str(request.pk),
        "backup_horizon": timezone.localdate() + timedelta(days=settings.KEY_BACKUP_RETENTION_DAYS),
    }
    try:
        with translation.override(request.language or settings.LANGUAGE_CODE):
            mail.send(to=customer.email, template="account_closed", context=context)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning(
            "certificate mail for erasure %s not sent (%s)", request.pk, type(error).__name__
        )
