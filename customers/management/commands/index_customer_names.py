"""`manage.py index_customer_names`: build (or, with CUSTOMER_NAME_INDEX off, delete)
the name token index of every customer. Run once after deploying the index, after
turning it on or off, and after bulk loads that bypass customers.services
(generate_dataset). Idempotent; rotate_index_key rebuilds it too."""

from django.core.management.base import BaseCommand

from customers.name_index import is_enabled, rebuild_name_index


class Command(BaseCommand):
    help = "Build every customer's name token index (delete it when CUSTOMER_NAME_INDEX is off)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        def progress(label, done, total):
            self.stdout.write(f"  {label}: {done}/{total}")

        for label, count in rebuild_name_index(batch_size=batch_size, progress=progress).items():
            if is_enabled():
                self.stdout.write(f"{label}: {count} customer(s) re-indexed.")
            else:
                self.stdout.write(f"{label}: {count} token(s) deleted (CUSTOMER_NAME_INDEX off).")
