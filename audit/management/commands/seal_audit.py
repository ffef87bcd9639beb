"""Seal new audit events now: `manage.py seal_audit` (beat does it every few minutes)."""

from django.core.management.base import BaseCommand

from audit.services import seal_pending_events


class Command(BaseCommand):
    help = "Seal audit events not yet sealed into the hash chain, one seal per batch."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, help="events per seal (default: setting)")
        parser.add_argument(
            "--settle-seconds",
            type=int,
            help="seal only events at least this old (default: AUDIT_SEAL_SETTLE_SECONDS)",
        )

    def handle(self, *args, batch_size=None, settle_seconds=None, **options):
        def progress(seal):
            self.stdout.write(
                f"  seal #{seal.number}: events {seal.first_event_id}..{seal.last_event_id} "
                f"({seal.event_count})"
            )

        seals = seal_pending_events(
            batch_size=batch_size, settle_seconds=settle_seconds, progress=progress
        )
        if not seals:
            self.stdout.write("Nothing new to seal.")
            return
        events = sum(seal.event_count for seal in seals)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sealed {events} events in {len(seals)} seals; "
                f"head seal #{seals[-1].number} digest {seals[-1].digest}"
            )
        )
