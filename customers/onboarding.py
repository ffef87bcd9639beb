"""Onboarding many customers at once: the bulk API and `manage.py import_customers`.

A batch is checked whole before anything is written: every item's field messages by
index, and duplicates found through the blind indexes, both against stored customers
and between the batch's own items. The valid items are then written in bulk, in one
transaction per batch on both databases (data keys, customers, the consent ledger and
its state, audit events and change-feed entries): the same rows `create_customer` writes
one at a time, in a handful of queries instead of a dozen per customer.

With `atomic`, one bad item stores nothing of the batch. Messages name fields, never a
value from the batch.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction, AuditEvent
from audit.services import record_events
from changes.models import Change, ChangeKind
from consent.confirmations import request_confirmations
from consent.evidence import Confirmation
from consent.models import ConsentEvent, ConsentSource, Notice
from consent.selectors import current_notices
from consent.services import (
    clean_consent_choices,
    confirmation_fields,
    record_first_consents,
    split_unconfirmed,
)
from customers import services
from customers.exceptions import DuplicateCustomer
from customers.models import Customer
from customers.name_index import index_names
from customers.selectors import live_customer_ids
from vault.keys import new_data_key
from vault.models import DataKey
from vault.routers import KEYS_DB
from vault.services import key_scope

PROFILE = ("external_id", "email", "full_name", "phone", "postal_address")
# The external id first, as in create_customer: a retried create meets it first.
INDEXED = services.INDEXED


class Status(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"  # an email or external id already taken (the API's 409)
    INVALID = "invalid"
    NOT_STORED = "not_stored"  # valid, but an atomic batch with a bad item stores nothing


@dataclass
class ItemResult:
    index: int
    status: Status
    id: uuid.UUID | None = None  # the new customer, or the existing one of a duplicate
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """Consent given before the data reached us (an import): when, where, under which
    notice versions (purpose: version; the current notice where a purpose is missing)
    and the lawful basis the list is held under."""

    given_at: datetime
    channel: str
    lawful_basis: str
    notice_versions: dict[str, int] = field(default_factory=dict)


@dataclass
class _Candidate:
    index: int
    id: uuid.UUID
    profile: dict  # cleaned values; a Customer is built from them at each write attempt
    choices: dict[str, bool]
    evidence: Evidence | None = None
    confirmation: Confirmation | None = None
    pending: list[str] = field(default_factory=list)  # double opt-ins waiting for the link

    def digest(self, name: str) -> str:
        field_ = Customer._meta.get_field(INDEXED[name])
        return field_.digest(self.profile[name])


def _clean(index: int, item) -> _Candidate:
    if not isinstance(item, dict):
        raise ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
    given = {name: item[name] for name in PROFILE if name in item}
    profile = {"full_name": "", "phone": None, "postal_address": None} | given
    errors = {name: [_("This field is required.")] for name in ("external_id", "email")}
    errors = {name: messages for name, messages in errors.items() if name not in profile}
    cleaned, field_errors = services._clean_profile(profile)
    errors.update(field_errors)
    try:
        choices = clean_consent_choices(item.get("consents"))
    except ValidationError as error:
        errors.update(error.message_dict)
        choices = {}
    if errors:
        raise ValidationError(errors)
    confirmation = item.get("confirmation")
    if confirmation is not None and not isinstance(confirmation, Confirmation):
        raise ValidationError({"confirmation": [_("Give when and how the person confirmed.")]})
    choices, pending = split_unconfirmed(choices, confirmation)
    return _Candidate(index, uuid.uuid4(), cleaned, choices, None, confirmation, pending)


def check(
    items: Sequence, evidence: Sequence[Evidence | None] | None = None
) -> tuple[list[_Candidate], dict[int, ItemResult]]:
    """The items fit to store, and the results of those that are not (by index).

    An item whose email or external id a stored customer has is a duplicate naming that
    customer's id when they are live; one repeating an earlier item of the batch is a
    duplicate of it (no id: it was not stored)."""
    candidates, refused = [], {}
    for index, item in enumerate(items):
        try:
            candidate = _clean(index, item)
        except ValidationError as error:
            refused[index] = ItemResult(index, Status.INVALID, errors=error.message_dict)
            continue
        if evidence is not None:
            candidate.evidence = evidence[index]
        candidates.append(candidate)

    stored = _stored_digests(candidates)
    live = live_customer_ids(set(stored.values()))
    first: dict[tuple[str, str], int] = {}
    fit = []
    for candidate in candidates:
        result = _duplicate(candidate, stored, live, first)
        if result is not None:
            refused[candidate.index] = result
            continue
        for name in INDEXED:
            first[(name, candidate.digest(name))] = candidate.index
        fit.append(candidate)
    return fit, refused


def _stored_digests(candidates: list[_Candidate]) -> dict[tuple[str, str], uuid.UUID]:
    """(field, digest under any key) → the stored customer holding it: one query per
    indexed field for the whole batch."""
    found = {}
    for name, index_name in INDEXED.items():
        field_ = Customer._meta.get_field(index_name)
        wanted = {}
        for candidate in candidates:
            for digest in field_.digests(candidate.profile[name]):
                wanted[digest] = candidate.digest(name)
        rows = Customer.objects.filter(**{f"{index_name}__in": list(wanted)})
        for digest, pk in rows.values_list(index_name, "pk"):
            found[(name, wanted[digest])] = pk
    return found


def _duplicate(
    candidate: _Candidate,
    stored: dict[tuple[str, str], uuid.UUID],
    live: set[uuid.UUID],
    first: dict[tuple[str, str], int],
) -> ItemResult | None:
    for name in INDEXED:
        key = (name, candidate.digest(name))
        if key in stored:
            existing = stored[key]
            return ItemResult(
                candidate.index,
                Status.DUPLICATE,
                id=existing if existing in live else None,
                errors=DuplicateCustomer(name).message_dict,
            )
        if key in first:
            label = _("email") if name == "email" else _("external id")
            message = _("The same %(label)s as item %(index)s of this batch.") % {
                "label": label,
                "index": first[key],
            }
            return ItemResult(candidate.index, Status.DUPLICATE, errors={name: [message]})
    return None


def create_customers(
    items: Sequence,
    *,
    actor: str,
    source: ConsentSource = ConsentSource.API,
    atomic: bool = False,
    evidence: Sequence[Evidence | None] | None = None,
) -> list[ItemResult]:
    """Check a batch and store its valid items (or, with `atomic`, all or none); one
    result per item, in order."""
    fit, refused = check(items, evidence)
    if atomic and refused:
        return _refusal(fit, refused)
    if fit:
        try:
            _write(fit, actor=actor, source=source)
        except IntegrityError:
            # A concurrent writer took an email or external id after the check.
            if atomic:
                fit, refused = check(items, evidence)
                if not refused:
                    raise
                return _refusal(fit, refused)
            # Store the batch one by one: only the items that lost the race are refused.
            refused.update(_write_one_by_one(fit, actor=actor, source=source))
    created = {
        c.index: ItemResult(c.index, Status.CREATED, id=c.id) for c in fit if c.index not in refused
    }
    return [refused.get(index) or created[index] for index in range(len(items))]


def _refusal(fit: list[_Candidate], refused: dict[int, ItemResult]) -> list[ItemResult]:
    kept = [ItemResult(c.index, Status.NOT_STORED) for c in fit]
    return sorted([*refused.values(), *kept], key=lambda result: result.index)


def _notice_ids(candidates: list[_Candidate]) -> dict[tuple[str, int], Notice]:
    wanted = {
        (purpose, version)
        for c in candidates
        if c.evidence
        for purpose, version in c.evidence.notice_versions.items()
    }
    if not wanted:
        return {}
    notices = Notice.objects.filter(purpose_id__in={purpose for purpose, _v in wanted})
    return {(n.purpose_id, n.version): n for n in notices if (n.purpose_id, n.version) in wanted}


def _write(candidates: list[_Candidate], *, actor: str, source: ConsentSource) -> None:
    notices = current_notices()
    shown = _notice_ids(candidates)
    # The key store commits first: data is never committed without the key to read it.
    with key_scope(), transaction.atomic(using=KEYS_DB), transaction.atomic():
        DataKey.objects.bulk_create([new_data_key(c.id) for c in candidates])
        customers = Customer.objects.bulk_create(
            [Customer(id=c.id, **c.profile) for c in candidates]
        )
        index_names(customers)
        ledger = []
        for c, customer in zip(candidates, customers, strict=True):
            versions = c.evidence.notice_versions if c.evidence else {}
            for code, granted in c.choices.items():
                notice = shown.get((code, versions[code])) if code in versions else None
                ledger.append(
                    ConsentEvent(
                        customer=customer,
                        purpose_id=code,
                        notice=notice or notices[code],
                        granted=granted,
                        source=source,
                        actor=actor,
                        given_at=c.evidence.given_at if c.evidence else None,
                        channel=c.evidence.channel[:100] if c.evidence else "",
                        **confirmation_fields(granted, c.confirmation),
                    )
                )
        audit = []
        for c in candidates:
            metadata = {"source": source}
            if c.evidence:
                metadata["lawful_basis"] = c.evidence.lawful_basis
            audit.append(
                AuditEvent(
                    actor=actor,
                    action=AuditAction.CUSTOMER_CREATED,
                    object_type="customers.customer",
                    object_id=c.id,
                    subject_id=c.id,
                    purpose="account",
                    metadata=metadata,
                )
            )
        record_events(audit)
        record_first_consents(ledger, actor=actor)
        for c in candidates:
            request_confirmations(customer_id=c.id, purposes=c.pending, source=source, actor=actor)
        Change.objects.bulk_create(
            Change(customer_id=c.id, kind=ChangeKind.CREATED) for c in candidates
        )


def _write_one_by_one(
    candidates: list[_Candidate], *, actor: str, source: ConsentSource
) -> dict[int, ItemResult]:
    refused = {}
    for candidate in candidates:
        try:
            _write([candidate], actor=actor, source=source)
        except IntegrityError:
            stored = _stored_digests([candidate])
            live = live_customer_ids(set(stored.values()))
            refused[candidate.index] = _duplicate(candidate, stored, live, {}) or ItemResult(
                candidate.index, Status.DUPLICATE
            )
    return refused
