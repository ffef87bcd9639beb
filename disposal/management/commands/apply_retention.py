"""`manage.py apply_retention [--dry-run]`: dispose of what outlived its policy."""

from django.core.management.base import BaseCommand

from disposal.retention import apply_retention
from vault.services import key_scope

LISTED = 20


class Command(BaseCommand):
    help = "Apply the retention policies now (Celery beat also runs this daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )

    def handle(self, *args, dry_run, **options):
        def progress(done, total):
            self.stdout.write(f"  {done}/{total}")

        with key_scope():
            outcomes = apply_retention(dry_run=dry_run, progress=None if dry_run else progress)
        verb = "would go" if dry_run else "went"
        for outcome in outcomes:
            held = f" (legal hold: {outcome.held_by})" if outcome.held_by else ""
            if outcome.skipped:
                self.stdout.write(
                    self.style.WARNING(
                        f"{outcome.policy}: skipped, {outcome.skipped} ({outcome.count} would "
                        "go); set it in the admin, which shows this count and asks to force"
                    )
                )
                continue
            self.stdout.write(
                f"{outcome.policy}: {outcome.count} {verb}; older than {outcome.keep_days} "
                f"days, before {outcome.cutoff:%Y-%m-%d}{held}"
            )
            if dry_run:
                for item in outcome.ids[:LISTED]:
                    self.stdout.write(f"  {item}")
                if outcome.count > LISTED:
                    self.stdout.write(f"  … and {outcome.count - LISTED} more")
