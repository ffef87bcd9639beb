import time

from django.conf import settings
from django.core.management.base import BaseCommand

from runtime.health import readiness


class Command(BaseCommand):
    help = (
        "Check the data database, the key store, the broker and the outbox (as /readyz); "
        "with --worker, also that a Celery worker answers a ping through the broker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--worker", action="store_true", help="also ping a worker")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait")

    def handle(self, *args, worker: bool, timeout: float, **options):
        ready, checks = readiness()
        if worker:
            checks["worker"] = self._ping(timeout)
            ready = ready and checks["worker"].startswith("ok")
        for name, value in checks.items():
            self.stdout.write(f"{name:10} {value}")
        if not ready:
            self.stderr.write("Not ready.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Ready."))

    def _ping(self, timeout: float) -> str:
        from runtime.tasks import ping

        if not settings.REDIS_URL:
            return "ok (tasks run in-process)"
        started = time.monotonic()
        try:
            ping.apply_async().get(timeout=timeout)
        except Exception as error:  # a timeout or a broker error: both mean "no worker"
            return f"unavailable ({type(error).__name__})"
        return f"ok ({(time.monotonic() - started) * 1000:.0f} ms round trip)"
