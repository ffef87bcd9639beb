"""Customer writes: create and update customers, products, purchases, interactions.

Each function validates first (every problem as a field message), then writes in one
transaction, then records its audit event. Personal values never appear in messages.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import NewEvent, append_events, record_event
from changes.models import ChangeKind
from changes.services import record_change
from consent.confirmations import request_confirmations
from consent.evidence import Confirmation
from consent.models import ConsentSource
from consent.services import clean_consent_choices, record_consents, split_unconfirmed
from customers import purchase_copy, validation, verification
from customers.exceptions import BatchValidationError, DuplicateCustomer
from customers.models import (
    Customer,
    EmailChange,
    Interaction,
    InteractionChannel,
    InteractionKind,
    InteractionOutcome,
    Product,
    Purchase,
    PurchaseReturn,
)
from customers.name_index import index_names
from customers.selectors import live_customer_ids
from customers.times import future_errors, latest_plausible
from vault.routers import KEYS_DB
from vault.services import create_data_key

_UNSET = object()

PROFILE_CLEANERS = {
    "external_id": validation.clean_external_id,
    "email": validation.clean_email,
    "full_name": validation.clean_full_name,
    "phone": validation.clean_phone,
    "postal_address": validation.clean_postal_address,
}
# The external id first: a retried create meets it before the email (the API then
# answers 409 with the existing customer's id).
INDEXED = {"external_id": "external_id_index", "email": "email_index"}


def _clean_profile(values: dict) -> tuple[dict, dict[str, list[str]]]:
    cleaned, errors = {}, {}
    for name, value in values.items():
        try:
            cleaned[name] = PROFILE_CLEANERS[name](value)
        except ValidationError as error:
            errors[name] = error.messages
    return cleaned, errors


def _check_unique(customer: Customer, fields: list[str]) -> None:
    for name in fields:
        index_name = INDEXED[name]
        digests = Customer._meta.get_field(index_name).digests(getattr(customer, name))
        taken = Customer.objects.filter(**{f"{index_name}__in": digests})
        if taken.exclude(pk=customer.pk).exists():
            raise DuplicateCustomer(name)


def _save_unique(customer: Customer, fields: list[str], **save_kwargs) -> None:
    """Save; a unique-index race lost to a concurrent writer becomes DuplicateCustomer."""
    try:
        with transaction.atomic():
            customer.save(**save_kwargs)
    except IntegrityError:
        _check_unique(customer, fields)
        raise


def create_customer(
    *,
    external_id: str,
    email: str,
    consents: dict[str, bool],
    actor: str,
    full_name: str = "",
    phone: str | None = None,
    postal_address: str | None = None,
    source: ConsentSource = ConsentSource.API,
    confirmation: Confirmation | None = None,
) -> Customer:
    """Store a new customer with their first consents; refused without `account`. A
    double opt-in purpose granted without `confirmation` waits for the customer to follow
    the link mailed to them (consent.confirmations)."""
    cleaned, errors = _clean_profile(
        {
            "external_id": external_id,
            "email": email,
            "full_name": full_name,
            "phone": phone,
            "postal_address": postal_address,
        }
    )
    try:
        choices = clean_consent_choices(consents)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    customer = Customer(**cleaned)
    # The key store commits first: data is never committed without the key to read it.
    with transaction.atomic(), transaction.atomic(using=KEYS_DB):
        create_data_key(subject_id=customer.pk)
        _check_unique(customer, list(INDEXED))
        _save_unique(customer, list(INDEXED), force_insert=True)
        index_names([customer])
        choices, pending = split_unconfirmed(choices, confirmation)
        record_consents(
            customer=customer,
            choices=choices,
            source=source,
            actor=actor,
            confirmation=confirmation,
        )
        request_confirmations(customer_id=customer.pk, purposes=pending, source=source, actor=actor)
        record_event(
            actor=actor,
            action=AuditAction.CUSTOMER_CREATED,
            object_type="customers.customer",
            object_id=customer.pk,
            subject_id=customer.pk,
            purpose="account",
            metadata={"source": source},
        )
        record_change(customer_id=customer.pk, kind=ChangeKind.CREATED)
    return customer


@transaction.atomic
def update_customer(
    *,
    customer: Customer,
    actor: str,
    email=_UNSET,
    full_name=_UNSET,
    phone=_UNSET,
    postal_address=_UNSET,
) -> Customer:
    """Correct a customer's profile; only the given fields change."""
    given = {
        name: value
        for name, value in {
            "email": email,
            "full_name": full_name,
            "phone": phone,
            "postal_address": postal_address,
        }.items()
        if value is not _UNSET
    }
    cleaned, errors = _clean_profile(given)
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in cleaned.items() if getattr(customer, name) != value]
    if not changed:
        return customer
    for name in changed:
        setattr(customer, name, cleaned[name])
    indexed = [name for name in changed if name in INDEXED]
    _check_unique(customer, indexed)
    update_fields = [*changed, *(INDEXED[name] for name in indexed), "updated_at"]
    if "phone" in changed:
        update_fields.append("phone_index")
    _save_unique(customer, indexed, update_fields=update_fields)
    if "full_name" in changed:
        index_names([customer])
    record_event(
        actor=actor,
        action=AuditAction.CUSTOMER_UPDATED,
        object_type="customers.customer",
        object_id=customer.pk,
        subject_id=customer.pk,
        purpose="account",
        metadata={"fields": ",".join(sorted(changed))},
    )
    record_change(customer_id=customer.pk, kind=ChangeKind.UPDATED)
    return customer


@transaction.atomic
def upsert_product(
    *, sku: str, name: str, category: str, price: Decimal, actor: str
) -> tuple[Product, bool]:
    """Create the product, or update it when the sku exists; returns (product, created)."""
    # Field rules (lengths, decimal places) from the model; the sku may already exist.
    Product(sku=sku, name=name, category=category, price=price).full_clean(
        validate_unique=False, validate_constraints=False
    )
    if price < 0:
        raise ValidationError({"price": ["Ensure this value is greater than or equal to 0."]})
    product, created = Product.objects.update_or_create(
        sku=sku, defaults={"name": name, "category": category, "price": price}
    )
    record_event(
        actor=actor,
        action=AuditAction.PRODUCT_SAVED,
        object_type="customers.product",
        object_id=product.pk,
        metadata={"created": created},
    )
    return product, created


CREATED, DUPLICATE = "created", "duplicate"


class PurchaseLine(NamedTuple):
    """One line to record. A named tuple, not a frozen dataclass: a batch builds 500, and
    the dataclass's guarded `__init__` took 5% of the view's time (profiled)."""

    customer_id: uuid.UUID
    order_id: str
    sku: str
    quantity: int
    unit_price: Decimal
    purchased_at: datetime


@dataclass(frozen=True)
class PurchaseBatchResult:
    created: int
    duplicates: int
    outcomes: tuple[str, ...] = ()  # per line, in order: "created" or "duplicate"


def _line_errors(
    line: PurchaseLine, customers: set, products: set, latest: datetime
) -> dict[str, list[str]]:
    """`latest`: the batch's `latest_plausible()`, taken once (a clock read and a message
    per line were a tenth of a batch's checks); a later time gets `future_errors`'s
    message."""
    errors: dict[str, list[str]] = {}
    if line.customer_id not in customers:
        errors["customer"] = ["No customer with this id."]
    if line.sku not in products:
        errors["sku"] = ["No product with this sku."]
    if not line.order_id or len(line.order_id) > 100:
        errors["order_id"] = ["Enter an order id of 1 to 100 characters."]
    if line.quantity < 1:
        errors["quantity"] = ["Ensure this value is at least 1."]
    if line.unit_price < 0:
        errors["unit_price"] = ["Ensure this value is greater than or equal to 0."]
    if timezone.is_naive(line.purchased_at):
        errors["purchased_at"] = ["Give the time zone, e.g. 2026-11-20T10:00:00Z."]
    elif line.purchased_at > latest:
        errors.update(future_errors(purchased_at=line.purchased_at))
    return errors


def _lock_orders(order_ids: list[str]) -> None:
    """Serialize concurrent batches that touch the same orders (PostgreSQL advisory locks,
    taken in sorted order, released at commit), so retried batches racing each other
    count their duplicates exactly. SQLite serializes writers anyway."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not order_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(order_id, 0)) "
            "FROM unnest(%s::text[]) AS order_id ORDER BY order_id",
            [order_ids],
        )


def purchase_line_errors(lines: Sequence[PurchaseLine]) -> dict[int, dict[str, list[str]]]:
    """Field errors per line index (unknown customer or sku, bad quantity...)."""
    return _checked_lines(lines)[0]


def _checked_lines(
    lines: Sequence[PurchaseLine],
) -> tuple[dict[int, dict[str, list[str]]], dict[str, int]]:
    """(field errors per line index, {sku: product id} of the known skus)."""
    # Unknown, erased or being erased: refused alike (the key may already be gone).
    customers = live_customer_ids({line.customer_id for line in lines})
    products = dict(
        Product.objects.filter(sku__any_of={line.sku for line in lines})
        .order_by()
        .values_list("sku", "pk")
    )
    latest = latest_plausible()
    errors = {
        index: line_errors
        for index, line in enumerate(lines)
        if (line_errors := _line_errors(line, customers, products, latest))
    }
    return errors, products


def _insert_by_orm(lines: Sequence[PurchaseLine], products: dict[str, int]) -> set:
    """The (order_id, product id) pairs created, through the ORM (SQLite; the PostgreSQL
    path is customers/purchase_copy.py)."""
    existing = set(
        Purchase.objects.filter(
            order_id__in={line.order_id for line in lines}, product_id__in=set(products.values())
        ).values_list("order_id", "product_id")
    )
    new: dict[tuple[str, int], Purchase] = {}
    for line in lines:
        key = (line.order_id, products[line.sku])
        if key not in existing and key not in new:
            new[key] = Purchase(
                customer_id=line.customer_id,
                order_id=line.order_id,
                product_id=key[1],
                quantity=line.quantity,
                unit_price=line.unit_price,
                purchased_at=line.purchased_at,
            )
    Purchase.objects.bulk_create(new.values(), batch_size=500, ignore_conflicts=True)
    return set(new)


@transaction.atomic
def record_purchases(*, lines: Sequence[PurchaseLine], actor: str) -> PurchaseBatchResult:
    """Store purchase lines idempotently on (order_id, sku): a line already stored, or
    repeated in the batch, counts as a duplicate. Any invalid line rejects the batch
    (BatchValidationError by line position). On PostgreSQL the lines go by COPY into a
    staging table and one INSERT ... ON CONFLICT (customers/purchase_copy.py)."""
    errors, products = _checked_lines(lines)
    if errors:
        raise BatchValidationError(errors)
    _lock_orders(sorted({line.order_id for line in lines}))
    if transaction.get_connection().vendor == "postgresql":
        created = purchase_copy.insert_lines(lines, products)
    else:
        created = _insert_by_orm(lines, products)
    outcomes, seen = [], set()
    per_customer: dict[uuid.UUID, int] = {}
    for line in lines:
        key = (line.order_id, products[line.sku])
        if key in created and key not in seen:
            seen.add(key)
            outcomes.append(CREATED)
            per_customer[line.customer_id] = per_customer.get(line.customer_id, 0) + 1
        else:
            outcomes.append(DUPLICATE)
    append_events(
        [
            NewEvent(
                actor=actor,
                action=AuditAction.PURCHASES_RECORDED,
                object_type="customers.customer",
                object_id=str(customer_id),
                subject_id=customer_id,
                purpose="account",
                metadata={"lines": count},
            )
            for customer_id, count in per_customer.items()
        ]
    )
    return PurchaseBatchResult(
        created=len(seen), duplicates=len(lines) - len(seen), outcomes=tuple(outcomes)
    )


@transaction.atomic
def record_return(
    *, order_id: str, sku: str, quantity: int, returned_at: datetime, actor: str
) -> PurchaseReturn:
    """Record that `quantity` items of a recorded line (order_id, sku) came back. The
    line's returned quantity never exceeds what was bought; a fully returned line stops
    counting as evidence for recommendations."""
    errors: dict[str, list[str]] = {}
    if quantity < 1:
        errors["quantity"] = [_("Ensure this value is at least 1.")]
    if timezone.is_naive(returned_at):
        errors["returned_at"] = [_("Give the time zone, e.g. 2026-11-20T10:00:00Z.")]
    errors.update(future_errors(returned_at=returned_at))
    purchase = (
        Purchase.objects.select_for_update(of=("self",))  # the line, not its product
        .filter(order_id=order_id, product__sku=sku)
        .first()
    )
    if purchase is None:
        errors["order_id"] = [_("No recorded purchase line with this order_id and sku.")]
    elif "returned_at" not in errors and returned_at < purchase.purchased_at:
        errors["returned_at"] = [_("A return cannot come before its purchase.")]
    elif quantity > purchase.quantity - purchase.returned_quantity:
        errors["quantity"] = [
            _("At most %(left)d of this line can still be returned.")
            % {"left": purchase.quantity - purchase.returned_quantity}
        ]
    if errors:
        raise ValidationError(errors)
    returned = PurchaseReturn.objects.create(
        purchase=purchase, quantity=quantity, returned_at=returned_at
    )
    Purchase.objects.filter(pk=purchase.pk).update(
        returned_quantity=F("returned_quantity") + quantity
    )
    purchase.refresh_from_db(fields=["returned_quantity"])
    record_event(
        actor=actor,
        action=AuditAction.PURCHASES_RECORDED,
        object_type="customers.purchase",
        object_id=purchase.pk,
        subject_id=purchase.customer_id,
        subject_pseudonym=purchase.subject_pseudonym if purchase.customer_id is None else None,
        purpose="account",
        metadata={"returned": quantity},
    )
    return returned


@transaction.atomic
def record_interaction(
    *,
    customer: Customer,
    channel: InteractionChannel,
    note: str,
    actor: str,
    occurred_at: datetime | None = None,
    kind: InteractionKind = InteractionKind.OTHER,
    outcome: str = "",
) -> Interaction:
    """A contact with the customer (a call, a visit, a mail): channel, kind, how it
    ended, and the note, kept encrypted under the customer's key."""
    errors = {}
    if channel not in InteractionChannel.values:
        errors["channel"] = [f"Choose one of: {', '.join(InteractionChannel.values)}."]
    if kind not in InteractionKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(InteractionKind.values)}."]
    if outcome and outcome not in InteractionOutcome.values:
        errors["outcome"] = [f"Choose one of: {', '.join(InteractionOutcome.values)}."]
    if not isinstance(note, str) or not note.strip():
        errors["note"] = ["This field is required."]
    if occurred_at is not None and timezone.is_naive(occurred_at):
        errors["occurred_at"] = ["Give the time zone, e.g. 2026-11-20T10:00:00Z."]
    errors.update(future_errors(occurred_at=occurred_at))
    if errors:
        raise ValidationError(errors)
    interaction = Interaction.objects.create(
        customer=customer,
        channel=channel,
        kind=kind,
        outcome=outcome,
        note=note.strip(),
        occurred_at=occurred_at or timezone.now(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditAction.INTERACTION_RECORDED,
        object_type="customers.interaction",
        object_id=interaction.pk,
        subject_id=customer.pk,
        purpose="account",
        metadata={"channel": channel, "kind": kind, **({"outcome": outcome} if outcome else {})},
    )
    return interaction


@transaction.atomic
def request_email_change(*, customer: Customer, new_email: str, actor: str) -> tuple:
    """Hold a new address until its owner confirms it: returns (change, code), the code
    to mail to the new address. Replaces any earlier unconfirmed change."""
    try:
        cleaned = validation.clean_email(new_email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from error
    if cleaned == customer.email:
        raise ValidationError({"email": [_("This is already your email address.")]})
    EmailChange.objects.filter(customer=customer).delete()
    change = EmailChange(
        customer=customer,
        new_email=cleaned,
        expires_at=timezone.now() + timedelta(minutes=settings.VERIFICATION_CODE_MINUTES),
    )
    code = verification.new_code()
    change.code_hash = verification.code_digest("email-change", change.pk, code)
    change.save(force_insert=True)
    record_event(
        actor=actor,
        action=AuditAction.EMAIL_CHANGE_REQUESTED,
        object_type="customers.customer",
        object_id=customer.pk,
        subject_id=customer.pk,
        purpose="account",
    )
    return change, code


def confirm_email_change(*, customer: Customer, code: str, actor: str) -> Customer:
    """Make the pending address the customer's email if `code` is the one mailed to it.
    Every check is counted before it is made, by one conditional update, so that however
    many guesses arrive at once no more than VERIFICATION_MAX_ATTEMPTS are checked; a
    change runs out of checks or time."""
    expired = ValidationError({"code": [_("This code has expired. Ask for a new one.")]})
    pending = EmailChange.objects.filter(customer=customer, expires_at__gt=timezone.now())
    change = pending.first()
    if change is None:
        raise expired
    counted = pending.filter(pk=change.pk, attempts__lt=settings.VERIFICATION_MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        raise expired
    if not verification.code_matches(change.code_hash, "email-change", change.pk, code):
        raise ValidationError({"code": [_("That code is not right. Check it and try again.")]})
    with transaction.atomic():
        # Claimed by deleting it: of two right answers at once, one changes the address.
        claimed, _kinds = EmailChange.objects.filter(pk=change.pk).delete()
        if not claimed:
            raise expired
        update_customer(customer=customer, email=change.new_email, actor=actor)
    return customer
