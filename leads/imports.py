"""Importing a list of leads, row by row, with its provenance.

Every row needs its consent evidence (the purposes agreed to and when) and a lawful
basis (the list's, or its own column); rows without them are refused in the report,
never stored. Duplicates (by blind index, against leads and customers, and within the
file) are merged, never doubled. The report names rows by line and says what happened,
with field messages only: it never repeats a value from the file.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event
from consent.evidence import read_evidence
from customers.models import Customer
from customers.normalization import normalize_email
from leads import services
from leads.models import CaptureMethod
from vault.routers import KEYS_DB

COLUMNS = ("email", "full_name", "phone", "company", "consents", "consent_at")
OPTIONAL = ("notice_version", "lawful_basis")
REFUSED = "refused"
ACCEPTED = "accepted"
STORED_OR_HELD = (services.Outcome.CREATED, services.Outcome.MERGED, services.Outcome.CUSTOMER)


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # created, merged, existing_customer, refused; or accepted (hidden)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    customer_status_hidden: bool = False

    def counts(self) -> dict[str, int]:
        outcomes = (ACCEPTED,) if self.customer_status_hidden else STORED_OR_HELD
        counts = dict.fromkeys((*outcomes, REFUSED), 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def without_customer_status(self) -> "ImportReport":
        """The report for a reader who may not look customers up (issue 25 item 7): a
        row that is a customer's, a new lead or a merged one all read "accepted", so
        that neither a line nor a count says which addresses are customers'."""
        rows = [
            row if row.outcome == REFUSED else RowResult(row.line, ACCEPTED) for row in self.rows
        ]
        return ImportReport(self.source, self.dry_run, rows, customer_status_hidden=True)


def _row_args(row: dict, lawful_basis: str | None) -> dict:
    evidence, errors = read_evidence(row, lawful_basis)
    if errors:
        raise ValidationError(errors)
    version = evidence.notice_version
    return {
        "contact": {name: (row.get(name) or "").strip() or None for name in COLUMNS[:4]},
        "purposes": evidence.purposes,
        "lawful_basis": evidence.lawful_basis,
        "given_at": evidence.given_at,
        "notice_versions": {} if version is None else dict.fromkeys(evidence.purposes, version),
    }


class _DryRun(Exception):
    pass


def _is_customer(email: str | None) -> bool:
    if not email:
        return False
    digests = Customer._meta.get_field("email_index").digests(email)
    return Customer.objects.filter(email_index__in=digests).exists()


def import_rows(
    rows: Iterable[dict],
    *,
    source: str,
    lawful_basis: str | None,
    actor: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import rows (dicts by column name) one by one, each in its own transaction, so a
    large file streams and a bad row never blocks the good ones. A dry run does every
    check and rolls each row back, reporting what would happen."""
    report = ImportReport(source=source, dry_run=dry_run)
    seen: set[str] = set()  # dry runs: addresses earlier rows would have stored
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            args = _row_args(row, lawful_basis)
            result = _import_one(args, source, actor, dry_run)
            email = args["contact"]["email"]
            key = normalize_email(email) if email else None
            outcome = result.outcome
            if dry_run and key and key in seen and outcome == services.Outcome.CREATED:
                outcome = services.Outcome.MERGED
            if key:
                seen.add(key)
            report.rows.append(RowResult(line, outcome))
        except ValidationError as error:
            report.rows.append(RowResult(line, REFUSED, error.message_dict))
        if progress and line % 500 == 0:
            progress(line - 1)
    if not dry_run:
        with transaction.atomic():
            counts = report.counts()
            record_event(
                actor=actor,
                action=AuditAction.LEADS_IMPORTED,
                object_type="leads.import",
                object_id=source,
                purpose="leads",
                metadata={name: count for name, count in counts.items()},
            )
    return report


def _import_one(args: dict, source: str, actor: str, dry_run: bool) -> services.Capture:
    if not dry_run:
        return services.capture_lead(
            **args, source=source, method=CaptureMethod.IMPORT, channel=source, actor=actor
        )
    outcome = {}
    try:
        with transaction.atomic(), transaction.atomic(using=KEYS_DB):
            outcome["capture"] = services.capture_lead(
                **args, source=source, method=CaptureMethod.IMPORT, channel=source, actor=actor
            )
            raise _DryRun
    except _DryRun:
        pass
    return outcome["capture"]


def read_csv(handle) -> Iterable[dict]:
    """Rows of a CSV file as dicts; refuses a header without the needed columns."""
    reader = csv.DictReader(handle)
    missing = [name for name in ("consents", "consent_at") if name not in (reader.fieldnames or [])]
    if not reader.fieldnames or (
        "email" not in reader.fieldnames and "phone" not in reader.fieldnames
    ):
        missing.insert(0, "email")
    if missing:
        raise ValidationError({"file": [_("The file lacks the columns: %s.") % ", ".join(missing)]})
    return reader
