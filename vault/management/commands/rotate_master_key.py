"""manage.py rotate_master_key: re-wrap every data key under the first master key.

Rotation procedure: put the new key first in VAULT_MASTER_KEYS (keeping the old ones
after it), deploy, run this command, and drop an old key only once the key-store backups
that it protects have aged out.
"""

from django.core.management.base import BaseCommand

from vault.keyring import master_keys
from vault.keys import rotate_master_key


class Command(BaseCommand):
    help = "Re-wrap every live data key under the first key of VAULT_MASTER_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options):
        current_id, _ = master_keys()[0]

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"re-wrapped {done}/{total} data keys")

        count = rotate_master_key(batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"{count} data keys now wrapped by master key {current_id}.")
        )
