"""Restriction of processing (GDPR Art. 18): the data is kept but not used.

While a customer is restricted, campaigns (`customers.selectors.unrestricted`),
recommendations (serving and training) and disclosures to processors skip them; the
privacy desk sets and lifts it. Each change is audited.
"""

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_event
from customers.models import Customer


@transaction.atomic
def restrict_processing(*, customer: Customer, actor: str, request_id=None) -> Customer:
    """GDPR Art. 18: keep the data but stop using it (campaigns, recommendations,
    disclosures skip the customer) until the restriction is lifted."""
    if customer.processing_restricted_at is None:
        customer.processing_restricted_at = timezone.now()
        customer.save(update_fields=["processing_restricted_at", "updated_at"])
        record_event(
            actor=actor,
            action=AuditAction.PROCESSING_RESTRICTED,
            object_type="customers.customer",
            object_id=customer.pk,
            subject_id=customer.pk,
            purpose="restriction",
            metadata={"request": request_id},
        )
    return customer


@transaction.atomic
def lift_restriction(*, customer: Customer, actor: str, request_id=None) -> Customer:
    if customer.processing_restricted_at is not None:
        customer.processing_restricted_at = None
        customer.save(update_fields=["processing_restricted_at", "updated_at"])
        record_event(
            actor=actor,
            action=AuditAction.RESTRICTION_LIFTED,
            object_type="customers.customer",
            object_id=customer.pk,
            subject_id=customer.pk,
            purpose="restriction",
            metadata={"request": request_id},
        )
    return customer
