"""Which customer a path or a purchase line names: Custodian's UUID, or the storefront's
own id as `ext:<external_id>` (v1.1). The one place the API resolves customer refs.

External ids are encrypted; they are found through their blind index, never compared in
clear. A ref that names nobody (or a malformed one) resolves to None / 404, so a caller
cannot tell "malformed" from "unknown". The external id itself never appears in a
message, a log line or an audit row.

URL-encode the external id (`ext:shop%20123`); Django decodes the path before routing.
An external id containing `/` cannot travel in a path (the decoded slash splits it):
look it up with `POST /api/v1/customers/lookup/` and use the UUID.
"""

import uuid
from collections.abc import Iterable

from rest_framework.exceptions import NotFound

from customers.models import Customer
from customers.selectors import customer_by_external_id
from disposal.selectors import live_customer

EXTERNAL_PREFIX = "ext:"
NOT_FOUND_MESSAGE = "No customer with this id."


def customer_id_for_path(ref: str) -> uuid.UUID | None:
    """The customer id that `ref` (a UUID or `ext:<external_id>`) names, whether or not
    the customer is live; None when it names nobody. For endpoints that answer about a
    customer being erased (a second erasure POST)."""
    ref = str(ref)
    if ref.startswith(EXTERNAL_PREFIX):
        external_id = ref[len(EXTERNAL_PREFIX) :]
        if not external_id.strip():
            return None
        customer = customer_by_external_id(external_id)
        return customer.pk if customer is not None else None
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def customer_for_path(ref: str) -> Customer:
    """The live customer `ref` names, or NotFound (404): unknown, malformed, erased or
    being erased are one answer on every endpoint."""
    customer_id = customer_id_for_path(ref)
    customer = live_customer(customer_id) if customer_id is not None else None
    if customer is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return customer


def customer_ids_for_external_ids(external_ids: Iterable[str]) -> dict[str, uuid.UUID]:
    """{external_id: customer id} for those of the external ids that name a customer
    (live or not: the purchase services refuse the ones not live). One query for a whole
    batch of purchase lines."""
    field = Customer._meta.get_field("external_id_index")
    by_digest: dict[str, set[str]] = {}  # " a" and "a" normalize alike: one digest
    for external_id in set(external_ids):
        if not external_id or not external_id.strip():
            continue
        for digest in field.digests(external_id):
            by_digest.setdefault(digest, set()).add(external_id)
    if not by_digest:
        return {}
    rows = Customer.objects.filter(external_id_index__in=list(by_digest)).values_list(
        "external_id_index", "pk"
    )
    return {
        external_id: customer_id
        for digest, customer_id in rows
        for external_id in by_digest[digest]
    }
