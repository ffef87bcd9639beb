"""manage.py import_leads FILE.csv --source NAME --lawful-basis consent [--dry-run]:
imports a list of leads with its provenance and prints a per-row report (line numbers
and messages, never a value from the file)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from consent.models import LawfulBasis
from leads.imports import REFUSED, import_rows, read_csv
from vault.services import key_scope


class Command(BaseCommand):
    help = "Import leads from a CSV file with their consent evidence and provenance."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="Source name, e.g. expo-2026.")
        parser.add_argument(
            "--lawful-basis",
            choices=LawfulBasis.values,
            help="The list's lawful basis (rows may give their own in a lawful_basis column).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; store nothing.")

    def handle(self, *args, **options):
        from django.utils.text import slugify

        source = slugify(options["source"])[:100]
        if not source:
            raise CommandError("Give --source as a name, e.g. expo-2026.")
        try:
            handle = open(options["file"], newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read the file: {error.strerror}.") from None
        with handle, key_scope():
            try:
                rows = read_csv(handle)
                report = import_rows(
                    rows,
                    source=source,
                    lawful_basis=options["lawful_basis"],
                    actor="system:import_leads",
                    dry_run=options["dry_run"],
                    progress=lambda done: self.stderr.write(f"... {done} rows"),
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            except UnicodeDecodeError:
                raise CommandError("The file is not UTF-8 text.") from None
        for row in report.rows:
            if row.outcome == REFUSED:
                messages = "; ".join(
                    f"{name}: {' '.join(texts)}" for name, texts in sorted(row.errors.items())
                )
                self.stdout.write(f"line {row.line}: refused ({messages})")
            else:
                self.stdout.write(f"line {row.line}: {row.outcome}")
        counts = report.counts()
        prefix = "Dry run, nothing stored: would be " if report.dry_run else ""
        self.stdout.write(
            prefix
            + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in counts.items())
        )
