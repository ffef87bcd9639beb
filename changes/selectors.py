"""The change feed as surfaces read it: a page of entries after a cursor, each naming
the customer by id and, while the customer lives, by the storefront's external id."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from changes.models import Change, ChangeKind
from customers.models import Customer
from customers.selectors import live_customer_ids
from vault.services import preload


@dataclass(frozen=True)
class ChangeEntry:
    cursor: str
    customer: uuid.UUID
    external_id: str | None
    change: str
    at: datetime


@dataclass(frozen=True)
class ChangePage:
    results: list[ChangeEntry]
    next: str  # the cursor to ask from next time (the same one when nothing is new)


def parse_cursor(value: str | None) -> int | None:
    """A cursor is the id of the last entry seen ("0" or none: from the start)."""
    if value in (None, ""):
        return 0
    if not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def changes_after(after: int, *, limit: int = 100) -> ChangePage:
    rows = list(Change.objects.filter(pk__gt=after).order_by("pk")[:limit])
    live = live_customer_ids({row.customer_id for row in rows if row.customer_id})
    preload(live)
    external_ids = dict(
        (customer.pk, customer.external_id) for customer in Customer.objects.filter(pk__in=live)
    )
    results = []
    for row in rows:
        if row.kind == ChangeKind.ERASED:
            customer = uuid.UUID(row.erased_customer_id)
        else:
            customer = row.customer_id
        results.append(
            ChangeEntry(str(row.pk), customer, external_ids.get(customer), row.kind, row.at)
        )
    return ChangePage(results, str(rows[-1].pk) if rows else str(after))
