"""`manage.py rotate_index_key`: re-index every blind index under the current key.

Procedure (README, "Keys and backups"): set VAULT_PSEUDONYM_KEY to the index key in use
so far (once), put a new key in VAULT_INDEX_KEY and the old one in
VAULT_RETIRED_INDEX_KEYS, deploy, run this; destroy the old key at the backup horizon.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vault.keyring import PSEUDONYM_KEY_NEEDED
from vault.reindex import reindex_blind_indexes


class Command(BaseCommand):
    help = "Recompute every blind index under VAULT_INDEX_KEY (after replacing it)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        if not settings.VAULT_RETIRED_INDEX_KEYS:
            raise CommandError(
                "Nothing to rotate from: put the new key in VAULT_INDEX_KEY and the old one "
                "in VAULT_RETIRED_INDEX_KEYS, deploy, then run this again."
            )
        if not settings.VAULT_PSEUDONYM_KEY:
            raise CommandError(PSEUDONYM_KEY_NEEDED)

        def progress(label, done, total):
            self.stdout.write(f"  {label}: {done}/{total}")

        changed = reindex_blind_indexes(batch_size=batch_size, progress=progress)
        for label, count in changed.items():
            self.stdout.write(f"{label}: {count} row(s) re-indexed under the current key.")
        horizon = timezone.localdate() + timedelta(days=settings.KEY_BACKUP_RETENTION_DAYS)
        self.stdout.write(
            self.style.SUCCESS(
                "Every row is indexed under VAULT_INDEX_KEY. Keep the retired key(s) in "
                f"VAULT_RETIRED_INDEX_KEYS until {horizon:%Y-%m-%d} (KEY_BACKUP_RETENTION_DAYS "
                "from today, the horizon of retired master keys), then remove them and "
                "destroy every copy: from then on no backup's index values can be tested."
            )
        )
