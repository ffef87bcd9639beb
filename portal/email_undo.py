"""An email change tells the address it replaced: once a change is confirmed, an outbox
job (ids only) mails the old address the new one, masked, and a link that takes the
change back. Following the link (GET asks, POST acts, since mail scanners follow links)
restores the old address and ends every portal session of the customer, so a borrowed
session cannot quietly keep the account. The link's secret is made by the mail job and
kept only as a keyed hash; it works once, for UNDO_DAYS."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from audit.actors import CUSTOMER
from audit.models import AuditAction
from audit.services import record_event
from customers import services as customer_services
from customers import verification
from customers.exceptions import DuplicateCustomer
from customers.models import Customer, EmailChange
from disposal.selectors import live_customer
from outbox.services import enqueue
from portal import mail
from portal.models import EmailUndo, SessionCutoff
from runtime.links import public_url
from vault.masking import mask_email

UNDO_DAYS = 7
MAIL_TASK = "portal.tasks.mail_email_undo"
LINK_KIND = "email-undo"


class InvalidUndo(Exception):
    """The link is unknown, used, expired, or the customer is gone."""


def confirm_change(*, customer: Customer, code: str, language: str = "") -> Customer:
    """Confirm a pending email change with its code (customers.services, which counts
    every check) and, once the address changed, mail the old one its undo link."""
    old_email = customer.email
    customer_services.confirm_email_change(customer=customer, code=code, actor=CUSTOMER)
    with transaction.atomic():
        undo = EmailUndo.objects.create(
            customer=customer,
            old_email=old_email,
            language=language[:16],
            expires_at=timezone.now() + timedelta(days=UNDO_DAYS),
        )
        enqueue(MAIL_TASK, str(undo.pk), after_response=True)
    return customer


def mail_undo(*, undo_id) -> str:
    """The mail job: a fresh link for the row, mailed to the old address within the
    row's lock ("sent", "done" when mailed before, "nothing" when there is no one to
    tell). Raises what the mail backend raised, which keeps nothing."""
    with transaction.atomic():
        undo = EmailUndo.objects.select_for_update().filter(pk=undo_id).first()
        if undo is None or undo.mailed_at is not None:
            return "done"
        customer = live_customer(undo.customer_id)
        undo.mailed_at = timezone.now()
        if customer is None or undo.used_at is not None:
            undo.save(update_fields=["mailed_at"])
            return "nothing"
        secret = secrets.token_urlsafe(32)
        undo.link_hash = verification.code_digest(LINK_KIND, undo.pk, secret)
        undo.save(update_fields=["mailed_at", "link_hash"])
        path = reverse("portal:undo_email", args=[undo.pk, secret])
        context = {
            "new_email": mask_email(customer.email),
            "link": public_url(path),
            "days": UNDO_DAYS,
        }
        with translation.override(undo.language or settings.LANGUAGE_CODE):
            mail.send(to=undo.old_email, template="email_undo", context=context)
    return "sent"


def _open(undo_id, secret: str, *, lock: bool = False) -> EmailUndo:
    try:
        pk = uuid.UUID(str(undo_id))
    except ValueError:
        raise InvalidUndo from None
    rows = EmailUndo.objects.select_for_update() if lock else EmailUndo.objects
    undo = rows.filter(
        pk=pk, used_at__isnull=True, mailed_at__isnull=False, expires_at__gt=timezone.now()
    ).first()
    if undo is None or not undo.link_hash:
        raise InvalidUndo
    if not verification.code_matches(undo.link_hash, LINK_KIND, undo.pk, secret):
        raise InvalidUndo
    if live_customer(undo.customer_id) is None:
        raise InvalidUndo
    return undo


def check_link(*, undo_id, secret: str) -> None:
    """InvalidUndo unless the link would still undo its change."""
    _open(undo_id, secret)


@transaction.atomic
def undo_change(*, undo_id, secret: str) -> None:
    """Put the old address back, once, and end every portal session of the customer."""
    undo = _open(undo_id, secret, lock=True)
    now = timezone.now()
    undo.used_at = now
    undo.save(update_fields=["used_at"])
    customer = Customer.objects.get(pk=undo.customer_id)
    EmailChange.objects.filter(customer=customer).delete()
    if customer.email != undo.old_email:
        try:
            with transaction.atomic():
                customer_services.update_customer(
                    customer=customer, email=undo.old_email, actor=CUSTOMER
                )
        except (DuplicateCustomer, ValidationError):
            raise InvalidUndo from None
    SessionCutoff.objects.update_or_create(customer=customer, defaults={"not_before": now})
    record_event(
        actor=CUSTOMER,
        action=AuditAction.PORTAL_SIGNED_OUT,
        object_type="customers.customer",
        object_id=customer.pk,
        subject_id=customer.pk,
        purpose="account",
        metadata={"everywhere": True},
    )


def prune() -> int:
    """Undo rows that were used or have expired go, and the old address they hold with
    them (nobody can use them any more); returns how many. Run daily by beat."""
    done = Q(used_at__isnull=False) | Q(expires_at__lte=timezone.now())
    deleted, _ = EmailUndo.objects.filter(done).delete()
    return deleted


def session_is_cut_off(customer_id, signed_in_at: float | None) -> bool:
    """Whether a session signed in at `signed_in_at` (a timestamp) was ended by an undo."""
    cutoff = SessionCutoff.objects.filter(customer_id=customer_id).first()
    if cutoff is None:
        return False
    return signed_in_at is None or signed_in_at < cutoff.not_before.timestamp()


def pending_address(customer: Customer) -> str:
    """The address a pending change's code went to, masked ("" when none is pending)."""
    change = EmailChange.objects.filter(customer=customer, expires_at__gt=timezone.now()).first()
    return mask_email(change.new_email) if change else ""
