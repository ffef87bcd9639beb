"""manage.py generate_dataset --customers N --products M --purchases P."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record_event
from customers import dataset


class Command(BaseCommand):
    help = (
        "Generate a synthetic shop for benchmarks: Zipf-popular products, heavy buyers, "
        "seasons. Customers are real (keys, encrypted fields, consents); purchase lines go "
        "in by COPY on PostgreSQL. Deterministic: running it again adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--products", type=int, required=True)
        parser.add_argument("--purchases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=7, help="random seed (repeatable data)")

    def handle(self, *args, customers: int, products: int, purchases: int, seed: int, **options):
        if customers < 1 or products < 1 or purchases < 0:
            raise CommandError(
                "--customers and --products must be 1 or more, --purchases 0 or more."
            )
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"  {message} ({time.monotonic() - started:.0f} s)")

        result = dataset.generate(
            customers=customers, products=products, purchases=purchases, seed=seed,
            progress=progress,
        )  # fmt: skip
        with transaction.atomic():
            record_event(
                actor=dataset.ACTOR,
                action=AuditAction.DEMO_SEEDED,
                object_type="customers.customer",
                object_id="dataset",
                metadata={"customers": result.customers, "purchases": result.purchases},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Dataset: {result.products:,} products, {result.customers:,} customers and "
                f"{result.purchases:,} purchase lines added in {time.monotonic() - started:.1f} s."
            )
        )
