"""A lead's rights and its end: export (access, portability), erasure and expiry, all
through the disposal pipeline that customers go through, walking the same registry."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_access
from disposal.exceptions import UnknownSubject
from disposal.exports import EXPORT_FORMAT, gather
from disposal.models import ErasureRequest, ErasureSource, ErasureStatus
from disposal.services import request_erasure
from leads.models import Lead, LeadConfirmation, LeadConsent, LeadStatus


def _lead_id(lead_id) -> uuid.UUID:
    try:
        subject_id = uuid.UUID(str(lead_id))
    except ValueError as error:
        raise UnknownSubject(lead_id) from error
    if not Lead.objects.filter(pk=subject_id).exclude(status=LeadStatus.CONVERTED).exists():
        raise UnknownSubject(subject_id)
    return subject_id


def export_lead(*, lead_id, actor: str) -> dict:
    """Everything held on a lead, in the customers' export format."""
    subject_id = _lead_id(lead_id)
    with transaction.atomic():
        document = {
            "format": EXPORT_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "lead_id": str(subject_id),
            "categories": gather(subject_id),
        }
        record_access(
            actor=actor,
            action=AuditAction.LEAD_EXPORTED,
            subject_id=subject_id,
            object_type="leads.lead",
            purpose="access_request",
        )
    return document


def erase_lead(*, lead_id, actor: str, source: ErasureSource = ErasureSource.STAFF):
    """Open (or return) the lead's erasure request; the pipeline destroys its key,
    removes its rows and writes the disposal record."""
    return request_erasure(
        customer_id=_lead_id(lead_id), source=source, actor=actor, require_customer=False
    )


def expired_lead_ids(cutoff: datetime, now: datetime) -> list[uuid.UUID]:
    """Unconverted leads with no contact since `cutoff`, and leads that never confirmed
    anything (no consent recorded, every double opt-in link expired): ids only."""
    open_requests = ErasureRequest.objects.filter(
        status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
    ).values("subject_id")
    granted = LeadConsent.objects.filter(lead=OuterRef("pk"), granted=True)
    pending = LeadConfirmation.objects.filter(
        lead=OuterRef("pk"), confirmed_at__isnull=True, expires_at__gt=now
    )
    never_confirmed = Q(has_granted=False, has_pending=False) & Q(
        created_at__lt=now - timedelta(hours=settings.CONSENT_CONFIRMATION_HOURS)
    )
    return list(
        Lead.objects.exclude(status=LeadStatus.CONVERTED)
        .annotate(has_granted=Exists(granted), has_pending=Exists(pending))
        .filter(Q(last_contact_at__lt=cutoff) | never_confirmed)
        .exclude(pk__in=open_requests)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def forget_converted_leads(subject_ids: list) -> None:
    """Erasure handler: when a customer who was once a lead is erased, the lead's consent
    evidence and audit trail are unlinked too (kept under the lead's pseudonym, like the
    customer's own ledger). The lead row stays with its source and dates only, so the
    source report still counts the conversion. Idempotent."""
    from audit.models import AuditEvent
    from vault import registry
    from vault.services import subject_pseudonym

    with transaction.atomic():
        for lead_id in Lead.objects.filter(customer_id__in=subject_ids).values_list(
            "pk", flat=True
        ):
            pseudonym = subject_pseudonym(lead_id)
            for model in (LeadConsent, AuditEvent):
                registry.entry_for(model).erase(lead_id, pseudonym=pseudonym)
            Lead.objects.filter(pk=lead_id).update(customer=None)
