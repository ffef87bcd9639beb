"""`manage.py apply_retention [--dry-run] [--wait]`: dispose of what outlived its policy.

Progress goes to stderr (every PROGRESS_EVERY items and at the end), the summary to
stdout. With --wait the command stays until every erasure it requested is done (the
workers run them), reporting their progress, so an operator (and the bench) sees how
long a sweep takes from start to the last certificate."""

import sys
import time

from django.core.management.base import BaseCommand

from disposal.models import ErasureRequest, ErasureStatus
from disposal.retention import apply_retention, erases_subjects
from vault.services import key_scope

LISTED = 20
PROGRESS_EVERY = 500
WAIT_POLL_SECONDS = 2.0


class Command(BaseCommand):
    help = "Apply the retention policies now (Celery beat also runs this daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Wait until every erasure requested is done, reporting progress.",
        )

    def handle(self, *args, dry_run, wait, **options):
        started = time.perf_counter()

        def progress(done, total):
            if done == total or done % PROGRESS_EVERY == 0:
                rate = done / max(time.perf_counter() - started, 1e-9)
                self.stderr.write(f"  {done}/{total} ({rate:,.0f}/s)")

        with key_scope():
            outcomes = apply_retention(dry_run=dry_run, progress=None if dry_run else progress)
        swept = time.perf_counter() - started
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
        if dry_run:
            return
        self.stdout.write(f"swept in {swept:.1f} s")
        if wait:
            self._wait(outcomes, started)

    def _wait(self, outcomes, started: float) -> None:
        """Until every erasure requested for the erased ids is done (by id: a done
        request no longer holds the subject's id, so count those still open)."""
        subjects = [
            subject_id
            for outcome in outcomes
            if not outcome.skipped and erases_subjects(outcome.policy)
            for subject_id in outcome.ids
        ]
        total = len(subjects)
        while True:
            open_, failed = 0, 0
            for start in range(0, total, 5000):
                requests = ErasureRequest.objects.filter(
                    subject_id__in=subjects[start : start + 5000]
                )
                open_ += requests.filter(
                    status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
                ).count()
                failed += requests.filter(status=ErasureStatus.FAILED).count()
            done = total - open_
            elapsed = time.perf_counter() - started
            sys.stderr.write(f"  erased {done}/{total} ({done / max(elapsed, 1e-9):,.1f}/s)\n")
            if not open_:
                break
            time.sleep(WAIT_POLL_SECONDS)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"erased {total} in {elapsed:.1f} s from the start of the sweep "
            f"({total / max(elapsed, 1e-9):,.1f}/s)" + (f"; {failed} failed" if failed else "")
        )
