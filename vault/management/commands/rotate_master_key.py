"""manage.py rotate_master_key: re-wrap every data key under the first master key.

Rotation procedure: put the new key first in VAULT_MASTER_KEYS (keeping the old ones
after it), deploy, run this command, and drop an old key only once the key-store backups
that it protects have aged out. Before you remove it from VAULT_MASTER_KEYS, run
`rotate_master_key --retire KEY_ID`: the backup carriers it makes unreadable are marked
in the carrier register.
"""

from django.core.management.base import BaseCommand, CommandError

from vault.exceptions import VaultError
from vault.keyring import master_keys
from vault.keys import retire_master_key, rotate_master_key


class Command(BaseCommand):
    help = (
        "Re-wrap every live data key under the first key of VAULT_MASTER_KEYS; with "
        "--retire KEY_ID, record that an old master key is dropped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--retire",
            metavar="KEY_ID",
            help="Record the retirement of this old master key (its id as rotation prints "
            "it) and mark the backup carriers it makes unreadable.",
        )

    def handle(self, *args, batch_size: int, retire: str | None = None, **options):
        current_id, _ = master_keys()[0]
        if retire:
            try:
                retirement = retire_master_key(key_id=retire, actor="operator")
            except VaultError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Master key {retire} retired; backups before "
                f"{retirement.backups_before.isoformat()} hold no readable key-store data."
            )
            for carrier_id in retirement.marked:
                self.stdout.write(f"unreadable: {carrier_id}")
            return

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"re-wrapped {done}/{total} data keys")

        count = rotate_master_key(batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"{count} data keys now wrapped by master key {current_id}.")
        )
