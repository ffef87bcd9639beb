"""manage.py import_customers FILE.csv --source NAME --lawful-basis contract [--dry-run]:
onboards an existing customer list with its consent evidence (customers/imports.py).

Progress goes to stderr after every batch; refused rows are listed by line and field
(never a value from the file), and `--report FILE` writes every row's outcome as CSV.
"""

import csv
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from consent.models import LawfulBasis
from customers.imports import BATCH, ImportSummary, Outcome, RowResult, import_customers, read_csv
from runtime.csv_writer import formula_safe_writer

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open_report(path: str):
    """The report names customers by id next to their line: it is born readable by the
    operator only (mode 600 at creation, whatever the umask), and an existing file or
    link is never reused."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    return os.fdopen(fd, "w", newline="", encoding="utf-8")


class Command(BaseCommand):
    help = "Import customers from a CSV file with their consent evidence."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="UTF-8 CSV with a header row (see docs/storefront/onboarding.md)."
        )
        parser.add_argument("--source", required=True, help="The list's name, e.g. old-shop.")
        parser.add_argument(
            "--lawful-basis",
            choices=LawfulBasis.values,
            help="The list's lawful basis (rows may give their own in a lawful_basis column).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; store nothing.")
        parser.add_argument(
            "--report", metavar="FILE", help="Write every row's outcome to this CSV file."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH, help="Rows per batch.")

    def handle(self, *args, **options):
        source = slugify(options["source"])[:100]
        if not source:
            raise CommandError("Give --source as a name, e.g. old-shop.")
        if not 1 <= options["batch_size"] <= 5000:
            raise CommandError("Give --batch-size between 1 and 5000.")
        try:
            handle = open(options["file"], newline="", encoding="utf-8-sig")  # noqa: SIM115
            report_file = _open_report(options["report"]) if options["report"] else None
        except FileExistsError:
            raise CommandError(f"{options['report']} exists; choose a new file name.") from None
        except OSError as error:
            raise CommandError(f"Cannot open {error.filename}: {error.strerror}.") from None
        report = formula_safe_writer(report_file) if report_file else None
        if report:
            report.writerow(["line", "outcome", "customer_id", "messages"])

        def on_row(result: RowResult) -> None:
            messages = "; ".join(
                f"{name}: {' '.join(texts)}" for name, texts in sorted(result.errors.items())
            )
            if result.outcome == Outcome.REFUSED:
                self.stdout.write(f"line {result.line}: refused ({messages})")
            if report:
                report.writerow([result.line, result.outcome, result.customer_id or "", messages])

        def on_progress(summary: ImportSummary) -> None:
            self.stderr.write(
                f"... {summary.rows:,} rows, {summary.rate:,.0f} rows/s ({_counts(summary)})"
            )

        with handle:
            try:
                summary = import_customers(
                    read_csv(handle),
                    source=source,
                    lawful_basis=options["lawful_basis"],
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                    report=on_row,
                    progress=on_progress,
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            except UnicodeDecodeError:
                raise CommandError("The file is not UTF-8 text.") from None
            except csv.Error as error:
                raise CommandError(f"The file is not valid CSV: {error}.") from None
            finally:
                if report_file:
                    report_file.close()
        prefix = "Dry run, nothing stored: would be " if summary.dry_run else ""
        self.stdout.write(
            f"{prefix}{_counts(summary)} ({summary.rows:,} rows in {summary.seconds:.1f} s)"
        )


def _counts(summary: ImportSummary) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in summary.counts.items())
