"""Change feed writes: called inside the transaction of the write they describe
(customers, consent, disposal services), so an entry exists exactly when the change
committed. Ids and kinds only."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from changes.models import Change, ChangeKind
from vault.services import SYSTEM_SUBJECT, ensure_data_key


def record_change(*, customer_id: uuid.UUID, kind: ChangeKind) -> Change:
    """One entry for a live customer's change (`created`, `updated`, `consent`)."""
    if kind == ChangeKind.ERASED:
        raise ValueError("Erasures are recorded by record_erased.")
    return Change.objects.create(customer_id=customer_id, kind=kind)


@transaction.atomic
def record_erased(*, customer_ids: list[uuid.UUID]) -> list[Change]:
    """The `erased` entries, once the customers' rows are gone (a batch of erasures):
    each id sealed under the system key, so that no table holds it in clear."""
    ensure_data_key(subject_id=SYSTEM_SUBJECT)
    return Change.objects.bulk_create(
        Change(erased_customer_id=str(customer_id), kind=ChangeKind.ERASED)
        for customer_id in customer_ids
    )


def prune_changes() -> int:
    """Entries older than CHANGES_KEEP_DAYS go (sealed ids of erased customers with
    them); returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.CHANGES_KEEP_DAYS)
    deleted, _ = Change.objects.filter(at__lt=cutoff).delete()
    return deleted
