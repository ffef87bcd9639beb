from django.core.management.base import BaseCommand

from recommendations.services import build_model


class Command(BaseCommand):
    help = "Build the item-to-item model from consenting customers' purchases and make it live."

    def handle(self, *args, **options):
        build = build_model(progress=lambda message: self.stdout.write(message))
        self.stdout.write(
            self.style.SUCCESS(
                f"Build {build.pk}: {build.customers} customers, {build.products} products."
            )
        )
