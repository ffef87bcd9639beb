"""manage.py revoke_api_key <name>: revokes the active key of that name at once."""

from django.core.management.base import BaseCommand, CommandError

from api.models import StorefrontKey


class Command(BaseCommand):
    help = "Revoke the active storefront API key with this name."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        keys = list(StorefrontKey.objects.filter(name=name, revoked=False))
        if not keys:
            raise CommandError(f"No active API key is named {name!r}.")
        for api_key in keys:
            api_key.revoked = True
            api_key.save(update_fields=["revoked"])
        self.stdout.write(self.style.SUCCESS(f"Revoked API key {name!r} ({keys[0].prefix}…)."))
