from django.core.management.base import BaseCommand

from runtime.health import readiness


class Command(BaseCommand):
    help = "Check the data database, the key store, the broker and the outbox (as /readyz)."

    def handle(self, *args, **options):
        ready, checks = readiness()
        for name, value in checks.items():
            self.stdout.write(f"{name:10} {value}")
        if not ready:
            self.stderr.write("Not ready.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Ready."))
