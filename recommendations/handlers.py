"""What other apps call when a customer must leave the model (registered in apps.py):
consent on withdrawal of `personalization` (all of the customer) or of
`sensitive_personalization` (their sensitive purchases), the erasure pipeline after the
key is destroyed. Consent withdrawals subtract at once, erasures in batches
(recommendations.batches); all in the caller's process, and idempotent."""

import uuid

from audit.services import SYSTEM
from recommendations.batches import forget_erased
from recommendations.services import forget_customer, forget_sensitive


def on_personalization_withdrawn(*, customer_id: uuid.UUID, actor: str) -> None:
    forget_customer(customer_id=customer_id, actor=actor)


def on_sensitive_personalization_withdrawn(*, customer_id: uuid.UUID, actor: str) -> None:
    forget_sensitive(customer_id=customer_id, actor=actor)


def forget_subjects(subject_ids: list[uuid.UUID]) -> None:
    # Erasure: the contributor rows and the supports at once, the counts by the next
    # batch (recommendations.batches; at once with RECS_FORGET_BATCH_SECONDS = 0).
    forget_erased(customer_ids=subject_ids, actor=SYSTEM)
