"""manage.py create_api_key <name> [--scopes a,b]: prints the key once; only its hash is kept."""

from django.core.management.base import BaseCommand, CommandError

from api.models import Scope, StorefrontKey


class Command(BaseCommand):
    help = "Create a storefront API key and print it once. No --scopes means all scopes."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scopes", default="", help=f"comma-separated, of: {', '.join(Scope.values)}"
        )

    def handle(self, *args, name: str, scopes: str, **options):
        chosen = [scope.strip() for scope in scopes.split(",") if scope.strip()] or list(
            Scope.values
        )
        unknown = sorted(set(chosen) - set(Scope.values))
        if unknown:
            raise CommandError(
                f"Unknown scope(s): {', '.join(unknown)}. Choose from {', '.join(Scope.values)}."
            )
        if StorefrontKey.objects.filter(name=name, revoked=False).exists():
            raise CommandError(
                f"An active key named {name!r} exists; revoke it or pick another name."
            )
        api_key, key = StorefrontKey.objects.create_key(name=name, scopes=sorted(set(chosen)))
        self.stdout.write(f"API key {name!r} (scopes: {', '.join(api_key.scopes)}):")
        self.stdout.write(key)
        self.stderr.write(
            "Store it now: it is shown only once. Send it as `Authorization: Api-Key <key>`."
        )
