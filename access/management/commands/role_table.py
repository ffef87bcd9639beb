"""Print docs/staff/roles.md from access.policy: `manage.py role_table > docs/staff/roles.md`."""

from django.core.management.base import BaseCommand

from access.role_table import render


class Command(BaseCommand):
    help = "Print the staff role table (docs/staff/roles.md) rendered from access.policy."

    def handle(self, *args, **options) -> None:
        self.stdout.write(render(), ending="")
