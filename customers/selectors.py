"""Customer reads shared by the surfaces: lookups by id or through the blind indexes."""

import uuid
from collections.abc import Callable, Iterable

from customers.models import Customer, Interaction, Purchase
from vault.services import destroyed_among

# check(ids) -> those of ids whose erasure has started. disposal registers one in its
# AppConfig, so that customers' own services (purchases, consents) can refuse a customer
# who is being erased without importing disposal.
_erasure_checks: list[Callable[[set[uuid.UUID]], set[uuid.UUID]]] = []


def register_erasure_check(check: Callable[[set[uuid.UUID]], set[uuid.UUID]]) -> None:
    if check not in _erasure_checks:
        _erasure_checks.append(check)


def live_customer_ids(customer_ids: Iterable) -> set[uuid.UUID]:
    """Those of the ids that name a live customer: the row exists, the data key is not
    destroyed and no erasure has started (pending, running, or failed and waiting for an
    operator). The one rule behind every "live customer or 404" check; surfaces call
    `disposal.selectors.live_customer` for one customer."""
    wanted = set()
    for customer_id in customer_ids:
        try:
            wanted.add(uuid.UUID(str(customer_id)))
        except ValueError:
            continue
    found = set(Customer.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if not found:
        return found
    gone = destroyed_among(found)
    for check in _erasure_checks:
        gone |= check(found - gone)
    return found - gone


def customer_by_email(email: str) -> Customer | None:
    digests = Customer._meta.get_field("email_index").digests(email)
    return Customer.objects.filter(email_index__in=digests).first()


def customer_by_external_id(external_id: str) -> Customer | None:
    digests = Customer._meta.get_field("external_id_index").digests(external_id)
    return Customer.objects.filter(external_id_index__in=digests).first()


def customer_get(customer_id: uuid.UUID | str) -> Customer | None:
    try:
        return Customer.objects.filter(pk=uuid.UUID(str(customer_id))).first()
    except ValueError:
        return None


def purchases_of(customer_id: uuid.UUID):
    """The customer's purchase lines with their products, newest first."""
    return Purchase.objects.filter(customer_id=customer_id).select_related("product")


def interactions_of(customer_id: uuid.UUID):
    """The customer's service interactions, newest first."""
    return Interaction.objects.filter(customer_id=customer_id)
