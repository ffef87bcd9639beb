"""manage.py create_api_key <name> --scopes a,b|all: prints the key once; only its hash
is kept. --scopes is required, so that no key gets `privacy` by omission."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import Scope, StorefrontKey

ALL = "all"


def parse_scopes(text: str) -> list[str]:
    chosen = [scope.strip() for scope in text.split(",") if scope.strip()]
    if chosen == [ALL]:
        return sorted(Scope.values)
    if not chosen or ALL in chosen:
        raise CommandError(
            f"Give --scopes as a comma-separated list of {', '.join(Scope.values)}, "
            f"or `{ALL}` for every scope."
        )
    unknown = sorted(set(chosen) - set(Scope.values))
    if unknown:
        raise CommandError(
            f"Unknown scope(s): {', '.join(unknown)}. Choose from {', '.join(Scope.values)}."
        )
    return sorted(set(chosen))


class Command(BaseCommand):
    help = "Create a storefront API key and print it once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"comma-separated, of: {', '.join(Scope.values)}; or `{ALL}` for every one "
            "(`privacy` allows export and erasure)",
        )

    def handle(self, *args, name: str, scopes: str, **options):
        chosen = parse_scopes(scopes)
        if StorefrontKey.objects.filter(name=name, revoked=False).exists():
            raise CommandError(
                f"An active key named {name!r} exists; revoke it or pick another name."
            )
        try:
            api_key, key = StorefrontKey.objects.create_key(name=name, scopes=chosen)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"API key {name!r} (scopes: {', '.join(api_key.scopes)}):")
        self.stdout.write(key)
        self.stderr.write(
            "Store it now: it is shown only once. Send it as `Authorization: Api-Key <key>`."
        )
