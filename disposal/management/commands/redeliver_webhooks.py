"""Send erasure notices to processors again: given deliveries, or every failed one."""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from disposal.models import DeliveryStatus, WebhookDelivery
from disposal.processors import redeliver
from vault.services import key_scope


class Command(BaseCommand):
    help = "Queue failed webhook deliveries (erasure notices) again with fresh attempts."

    def add_arguments(self, parser):
        parser.add_argument("delivery_ids", nargs="*", help="Delivery ids (see the admin).")
        parser.add_argument(
            "--failed", action="store_true", help="Every delivery that gave up (status failed)."
        )

    def handle(self, *args, delivery_ids, failed, **options):
        if not delivery_ids and not failed:
            raise CommandError("Name delivery ids, or pass --failed for every failed one.")
        wanted = []
        for value in delivery_ids:
            try:
                wanted.append(uuid.UUID(value))
            except ValueError:
                raise CommandError(f"Not a delivery id: {value}") from None
        if failed:
            wanted += WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED).values_list(
                "pk", flat=True
            )
        missing = set(wanted) - set(
            WebhookDelivery.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if missing:
            raise CommandError(f"No delivery with id {sorted(map(str, missing))[0]}.")
        queued = 0
        with key_scope():
            for delivery_id in dict.fromkeys(wanted):
                try:
                    delivery = redeliver(delivery_id=delivery_id, actor="operator")
                except ValidationError as error:
                    self.stderr.write(f"{delivery_id}: {' '.join(error.messages)}")
                    continue
                queued += 1
                self.stdout.write(f"{delivery.pk}: queued ({delivery.status})")
        self.stdout.write(f"{queued} delivery(ies) queued again.")
