"""Verify the audit hash chain: `manage.py verify_audit`; exits 1 naming the first break."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chain and name the first altered, missing or inserted "
        "event (exit 1), or say how many events and seals verified."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="NUMBER:DIGEST",
            help="also check that seal NUMBER still has DIGEST (from an earlier run or the "
            "sealer's log), which catches a chain cut short or rebuilt",
        )

    def handle(self, *args, expect_head=None, **options):
        def progress(seals):
            if seals % 100 == 0:
                self.stdout.write(f"  {seals} seals checked...")

        result = verify_chain(progress=progress)
        anchor_problem = _check_anchor(expect_head) if expect_head else None
        if result.ok and not anchor_problem:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.events_verified} events in {result.seals_verified} seals "
                    f"verified; {result.unsealed_events} newer events not yet sealed."
                )
            )
            if result.seals_verified:
                self.stdout.write(f"Head seal #{result.seals_verified} digest {result.head_digest}")
            else:
                self.stdout.write("No seal yet: beat seals new events, or run seal_audit.")
            return
        problems = result.problems
        first = result.first_event_problem
        if first and not result.foreign_key:
            self.stdout.write(self.style.ERROR(f"First broken event: {first}"))
        if result.foreign_key:
            self.stdout.write(
                self.style.ERROR(
                    "Seals were made under another pseudonym key (VAULT_PSEUDONYM_KEY, or "
                    "VAULT_INDEX_KEY while that is unset): configure the key they were made "
                    "with to verify them (event digests were not compared)."
                )
            )
        for problem in problems[:50]:
            self.stdout.write(f"  {problem}")
        if len(problems) > 50:
            self.stdout.write(f"  ... and {len(problems) - 50} more")
        if anchor_problem:
            self.stdout.write(f"  {anchor_problem}")
        raise CommandError(f"The audit chain does not verify: {result.headline or anchor_problem}")


def _check_anchor(expect_head: str) -> str | None:
    from audit.models import AuditSeal

    number, _sep, digest = expect_head.partition(":")
    if not number.isdigit() or len(digest) != 64:
        raise CommandError("--expect-head takes NUMBER:DIGEST (a seal number and 64 hex digits).")
    seal = AuditSeal.objects.filter(number=int(number)).first()
    if seal is None:
        return f"seal #{number} is gone (the chain was cut short)"
    if seal.digest != digest:
        return f"seal #{number} has another digest (the chain was rebuilt)"
    return None
