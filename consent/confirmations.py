"""Pending double opt-ins opened by a surface that cannot mail the person itself (the
API, bulk onboarding, imports): the confirmation is recorded with the write and its link
is mailed by an outbox job (ids only), so it is sent exactly when the write commits.
The link is the portal's (`portal:confirm_consent`), confirmed by
`consent.opt_in.confirm_consent` as every double opt-in is."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from consent.models import ConsentConfirmation, ConsentSource
from consent.opt_in import confirmation_token, open_confirmation
from consent.services import clean_consent_choices
from customers.models import Customer
from customers.selectors import live_customer_ids
from outbox.services import enqueue
from runtime.links import public_url

MAIL_TASK = "consent.tasks.mail_confirmation"


def request_confirmations(
    *, customer_id: uuid.UUID, purposes: Iterable[str], source: ConsentSource, actor: str
) -> list[ConsentConfirmation]:
    """Open a pending confirmation per purpose and mail its link once committed. A purpose
    already waiting (an open, unexpired link) is not asked again: a retried grant does
    not mail the person twice."""
    opened = []
    for purpose in purposes:
        waiting = ConsentConfirmation.objects.filter(
            customer_id=customer_id,
            purpose_id=purpose,
            confirmed_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).first()
        if waiting is not None:
            opened.append(waiting)
            continue
        confirmation = open_confirmation(
            customer_id=customer_id, purpose=purpose, source=source, actor=actor
        )
        enqueue(MAIL_TASK, str(confirmation.pk))
        opened.append(confirmation)
    return opened


@transaction.atomic
def ask_to_confirm(*, customer, purpose: str, source: ConsentSource, actor: str) -> None:
    """A grant of a double opt-in purpose without its confirmation: nothing is granted;
    the customer is mailed a link (once while one is waiting)."""
    clean_consent_choices({purpose: True}, require_account=False)
    if not live_customer_ids([customer.pk]):
        raise ValidationError({"customer": ["No customer with this id."]})
    request_confirmations(customer_id=customer.pk, purposes=[purpose], source=source, actor=actor)


def mail_confirmation(*, confirmation_id) -> bool:
    """Mail the link of a pending confirmation, once; False when there is nothing to send
    (mailed already, confirmed, expired, or the customer is gone)."""
    with transaction.atomic():
        confirmation = (
            ConsentConfirmation.objects.select_for_update()
            .select_related("notice")
            .filter(
                pk=confirmation_id,
                mailed_at__isnull=True,
                confirmed_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if confirmation is None:
            return False
        confirmation.mailed_at = timezone.now()
        confirmation.save(update_fields=["mailed_at"])
        if not live_customer_ids([confirmation.customer_id]):
            return False
        path = reverse("portal:confirm_consent", args=[confirmation_token(confirmation)])
        context = {"link": public_url(path)}
        email = Customer.objects.get(pk=confirmation.customer_id).email
        # In the language the grant was asked in (the API request's Accept-Language).
        with translation.override(confirmation.notice_language):
            subject = render_to_string("consent/email/confirm_consent_subject.txt", context)
            message = EmailMultiAlternatives(
                subject=subject.strip(),
                body=render_to_string("consent/email/confirm_consent.txt", context),
                to=[email],
            )
            message.attach_alternative(
                render_to_string("consent/email/confirm_consent.html", context), "text/html"
            )
        message.send()
    return True
