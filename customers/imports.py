"""Importing an existing customer list (`manage.py import_customers`): a storefront's
customers join in minutes, with the evidence of their consent.

The file streams in batches of BATCH rows, each checked whole and written in bulk by
customers.onboarding. Every row needs consent evidence: the purposes agreed to (with
`account`), when, and a lawful basis (the list's or its own column); rows without it are
refused in the report, never stored. A row whose email or external id a customer
already has (found through the blind indexes) is merged into that customer: empty
profile fields are filled and purposes with no recorded choice get the row's consent;
nothing stored is overwritten, and a withdrawal is never undone. A row repeating an
earlier row of the file is merged the same way. The report names rows by line and
field, never a value from the file.
"""

import csv
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event
from consent.confirmations import request_confirmations
from consent.evidence import read_evidence
from consent.models import ConsentSource, ConsentState, Notice
from consent.selectors import current_notices
from consent.services import CarriedConsent, carry_over_consents, needs_confirmation
from customers import onboarding, selectors, services
from customers.models import Customer
from customers.selectors import live_customer_ids
from vault.routers import KEYS_DB
from vault.services import key_scope

REQUIRED = ("external_id", "email", "consents", "consent_at")
FILLABLE = ("full_name", "phone", "postal_address")
BATCH = 500
ACTOR = "system:import_customers"


class Outcome:
    CREATED = "created"
    MERGED = "merged"
    REFUSED = "refused"


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str
    customer_id: uuid.UUID | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportSummary:
    source: str
    dry_run: bool
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((Outcome.CREATED, Outcome.MERGED, Outcome.REFUSED), 0)
    )
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def read_csv(handle) -> csv.DictReader:
    """The file's rows as dicts; refuses a header without the needed columns."""
    reader = csv.DictReader(handle)
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError({"file": [_("The file lacks the columns: %s.") % ", ".join(missing)]})
    return reader


def _notices() -> set[tuple[str, int]]:
    return set(Notice.objects.values_list("purpose_id", "version"))


def _parse(
    row: dict, source: str, lawful_basis: str | None, notices: set
) -> tuple[dict, onboarding.Evidence]:
    """A row as a create item and its evidence, or ValidationError with field messages."""
    evidence, errors = read_evidence(row, lawful_basis)
    purposes = evidence.purposes
    known = {code for code, _version in notices}
    if purposes and not set(purposes) <= known:
        # Not the code itself: a value in the wrong column may be personal data.
        errors["consents"] = [_("Unknown purpose: give purpose codes separated by ;.")]
    versions = {}
    if evidence.notice_version is not None:
        versions = {code: evidence.notice_version for code in purposes if code in known}
        missing = sorted(code for code, number in versions.items() if (code, number) not in notices)
        if missing:
            errors["notice_version"] = [
                _("No notice of this version for: %s.") % ", ".join(missing)
            ]
    if errors:
        raise ValidationError(errors)
    item = {name: row[name] for name in ("external_id", "email") if row.get(name) is not None}
    item |= {name: row[name].strip() or None for name in FILLABLE if row.get(name)}
    item["consents"] = dict.fromkeys(purposes, True)
    return item, onboarding.Evidence(
        given_at=evidence.given_at,
        channel=source,
        lawful_basis=evidence.lawful_basis,
        notice_versions=versions,
    )


def import_customers(
    rows: Iterable[dict],
    *,
    source: str,
    lawful_basis: str | None,
    actor: str = ACTOR,
    dry_run: bool = False,
    batch_size: int = BATCH,
    report: Callable[[RowResult], None] | None = None,
    progress: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import rows (dicts by column name) batch by batch, each batch in its own
    transaction, so a large file streams and a bad row never blocks the good ones.
    `report` gets every row's result, `progress` the running summary after each batch.
    A dry run does every check and rolls each batch back."""
    summary = ImportSummary(source=source, dry_run=dry_run)
    notices = _notices()
    seen: dict[tuple[str, str], uuid.UUID] = {}  # dry runs: what earlier batches would store
    started = time.monotonic()
    numbered = enumerate(rows, start=2)  # line 1 is the header
    while batch := list(islice(numbered, batch_size)):
        with key_scope():
            results = _batch(batch, source, lawful_basis, actor, dry_run, notices, seen)
        for result in results:
            summary.counts[result.outcome] += 1
            if report:
                report(result)
        summary.rows += len(batch)
        summary.seconds = time.monotonic() - started
        if progress:
            progress(summary)
    if not dry_run:
        with transaction.atomic():
            record_event(
                actor=actor,
                action=AuditAction.CUSTOMERS_IMPORTED,
                object_type="customers.import",
                object_id=source,
                purpose="account",
                metadata={"lawful_basis": lawful_basis or "per_row", **summary.counts},
            )
    return summary


class _DryRun(Exception):
    pass


def _batch(batch, source, lawful_basis, actor, dry_run, notices, seen) -> list[RowResult]:
    if not dry_run:
        return _import_batch(batch, source, lawful_basis, actor, notices, None)
    outcome = {}
    try:
        with transaction.atomic(using=KEYS_DB), transaction.atomic():
            outcome["results"] = _import_batch(batch, source, lawful_basis, actor, notices, seen)
            raise _DryRun
    except _DryRun:
        pass
    return outcome["results"]


def _import_batch(
    batch: list[tuple[int, dict]],
    source: str,
    lawful_basis: str | None,
    actor: str,
    notices: set,
    seen: dict | None,
) -> list[RowResult]:
    results: dict[int, RowResult] = {}
    items, evidence, lines = [], [], []
    for line, row in batch:
        try:
            item, row_evidence = _parse(row, source, lawful_basis, notices)
        except ValidationError as error:
            results[line] = RowResult(line, Outcome.REFUSED, errors=error.message_dict)
            continue
        items.append(item)
        evidence.append(row_evidence)
        lines.append(line)

    outcomes = onboarding.create_customers(
        items, actor=actor, source=ConsentSource.IMPORT, evidence=evidence
    )
    later = []
    for line, item, row_evidence, result in zip(lines, items, evidence, outcomes, strict=True):
        if result.status == onboarding.Status.CREATED:
            results[line] = RowResult(line, Outcome.CREATED, customer_id=result.id)
        elif result.status == onboarding.Status.INVALID:
            results[line] = RowResult(line, Outcome.REFUSED, errors=result.errors)
        else:
            later.append((line, item, row_evidence))
    # Duplicates merge once the batch's new customers are stored (a row may repeat one).
    for line, item, row_evidence in later:
        results[line] = _merge_row(line, item, row_evidence, actor)
    if seen is not None:
        _as_dry_run_merges(results, items, lines, seen)
    return [results[line] for line, _row in batch]


def _as_dry_run_merges(results, items, lines, seen) -> None:
    """Dry runs roll each batch back, so a row repeating an earlier batch's row would
    look new: report it as the merge the real run would make."""
    for line, item in zip(lines, items, strict=True):
        result = results[line]
        keys = [
            (name, Customer._meta.get_field(index).digest(item[name]))
            for name, index in services.INDEXED.items()
            if item.get(name)
        ]
        if result.outcome == Outcome.CREATED and any(key in seen for key in keys):
            results[line] = RowResult(line, Outcome.MERGED, customer_id=None)
        if result.outcome != Outcome.REFUSED:
            seen.update(dict.fromkeys(keys, result.customer_id))


def _matches(item: dict) -> set[uuid.UUID]:
    found = set()
    by_external = selectors.customer_by_external_id(item["external_id"])
    by_email = selectors.customer_by_email(item["email"])
    for customer in (by_external, by_email):
        if customer is not None:
            found.add(customer.pk)
    return found


def _merge_row(line: int, item: dict, evidence: onboarding.Evidence, actor: str) -> RowResult:
    matches = _matches(item)
    if len(matches) > 1:
        message = _("The email and the external id belong to two different customers.")
        return RowResult(line, Outcome.REFUSED, errors={"email": [message]})
    if not matches:  # the customer it repeated went meanwhile (erased)
        message = _("This customer is being erased; the row is not imported.")
        return RowResult(line, Outcome.REFUSED, errors={"external_id": [message]})
    (customer_id,) = matches
    if not live_customer_ids([customer_id]):
        message = _("This customer is being erased; the row is not imported.")
        return RowResult(line, Outcome.REFUSED, errors={"external_id": [message]})
    try:
        with transaction.atomic(using=KEYS_DB), transaction.atomic():
            _merge(Customer.objects.select_for_update().get(pk=customer_id), item, evidence, actor)
    except ValidationError as error:
        return RowResult(line, Outcome.REFUSED, errors=error.message_dict)
    return RowResult(line, Outcome.MERGED, customer_id=customer_id)


def _merge(customer: Customer, item: dict, evidence: onboarding.Evidence, actor: str) -> None:
    """Fill the customer's empty profile fields and add consent for purposes they have
    made no choice on; what is stored stays as it is."""
    empty = {
        name: item[name] for name in FILLABLE if item.get(name) and not getattr(customer, name)
    }
    if empty:
        services.update_customer(customer=customer, actor=actor, **empty)
    decided = set(
        ConsentState.objects.filter(customer=customer).values_list("purpose_id", flat=True)
    )
    current = current_notices()
    versions = evidence.notice_versions
    numbered = Notice.objects.filter(purpose_id__in=list(versions))
    shown = {
        (purpose, version): pk
        for purpose, version, pk in numbered.values_list("purpose_id", "version", "pk")
    }
    # Double opt-in purposes wait for the customer's confirmation, mailed to them.
    pending = [
        code for code in item["consents"] if code not in decided and needs_confirmation(code)
    ]
    history = [
        CarriedConsent(
            purpose=code,
            notice_id=shown.get((code, versions.get(code)), current[code].pk),
            granted=True,
            source=ConsentSource.IMPORT,
            channel=evidence.channel,
            given_at=evidence.given_at,
        )
        for code in item["consents"]
        if code not in decided and code not in pending
    ]
    if history:
        carry_over_consents(customer=customer, history=history, actor=actor)
    request_confirmations(
        customer_id=customer.pk, purposes=pending, source=ConsentSource.IMPORT, actor=actor
    )
