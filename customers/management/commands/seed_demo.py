"""manage.py seed_demo --customers N: realistic demo data, safe to run again."""

import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record_event
from customers import demo


class Command(BaseCommand):
    help = (
        "Seed demo customers (with data keys, consents and purchases). Customers already "
        "seeded are kept; only missing ones are added. Creates the dev staff user 'admin' "
        "when DEV_ADMIN_PASSWORD is set (as `make run`'s .env does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--seed", type=int, default=42, help="random seed (repeatable data)")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--portal-customer",
            action="store_true",
            help=f"also make the portal demo customer ({demo.PORTAL_DEMO_EMAIL})",
        )

    def handle(
        self, *args, customers: int, seed: int, batch_size: int, portal_customer: bool, **options
    ):
        if customers < 0 or batch_size < 1:
            raise CommandError("--customers must be 0 or more and --batch-size at least 1.")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"  customers {done}/{total} ({rate:,.0f}/s)")

        result = demo.seed(customers=customers, seed=seed, batch_size=batch_size, progress=progress)
        if result.created:
            with transaction.atomic():
                record_event(
                    actor=demo.ACTOR,
                    action=AuditAction.DEMO_SEEDED,
                    object_type="customers.customer",
                    object_id="demo",
                    metadata={"customers": result.created, "purchases": result.purchases},
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {result.created} customers added ({result.purchases} purchase "
                f"lines), {result.skipped} already there, in {time.monotonic() - started:.1f}s."
            )
        )
        self._ensure_dev_admin()
        if not portal_customer:
            return
        _customer, created = demo.ensure_portal_customer()
        if created:
            self.stdout.write("Created the portal demo customer.")
        self.stdout.write(
            "Customer portal: http://127.0.0.1:8000/portal/ - sign in as "
            f"{demo.PORTAL_DEMO_EMAIL}; the sign-in code is printed in this console "
            "(EMAIL_URL=consolemail://)."
        )

    def _ensure_dev_admin(self) -> None:
        password = os.environ.get("DEV_ADMIN_PASSWORD")
        if not password:
            return
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", password=password)
            self.stdout.write("Created staff user 'admin' (password: DEV_ADMIN_PASSWORD in .env).")
