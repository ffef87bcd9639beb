"""`manage.py rotate_index_key`: re-index every blind index under the current key.

Procedure (docs/operating/keys-and-backups.md): once, before the first rotation, run it with
--derive-stable-keys and set the two subkeys it prints (pseudonyms and audit seals keep
their values without the old root); put a new key in VAULT_INDEX_KEY and the old one in
VAULT_RETIRED_INDEX_KEYS, deploy, run this; destroy the old key at the backup horizon.
"""

import base64
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables

from vault.blind_index import column_subkey
from vault.keyring import STABLE_KEYS_NEEDED
from vault.pseudonyms import PSEUDONYM_COLUMN
from vault.reindex import reindex_blind_indexes

# The subkeys that must survive the index key (the audit chain's column is audit's own
# name; vault does not import audit).
STABLE_COLUMNS = {
    "VAULT_PSEUDONYM_KEY": PSEUDONYM_COLUMN,
    "VAULT_AUDIT_SEAL_KEY": "custodian.audit-seal",
}


class Command(BaseCommand):
    help = "Recompute every blind index under VAULT_INDEX_KEY (after replacing it)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--derive-stable-keys",
            action="store_true",
            help="Print VAULT_PSEUDONYM_KEY and VAULT_AUDIT_SEAL_KEY derived from the current "
            "VAULT_INDEX_KEY (once, before the first rotation); change nothing.",
        )

    @method_decorator(sensitive_variables())
    def handle(self, *args, batch_size, derive_stable_keys, **options):
        if derive_stable_keys:
            if settings.VAULT_RETIRED_INDEX_KEYS:
                raise CommandError(
                    "Derive the stable keys before the first rotation, from the index key "
                    "that made the stored pseudonyms and seals."
                )
            for setting, column in STABLE_COLUMNS.items():
                subkey = base64.urlsafe_b64encode(column_subkey(column)).decode()
                self.stdout.write(f"{setting}={subkey}")
            self.stderr.write(
                "Put both in the environment (they are secrets, like the index key) before "
                "replacing VAULT_INDEX_KEY. They cannot be turned back into it."
            )
            return
        if not settings.VAULT_RETIRED_INDEX_KEYS:
            raise CommandError(
                "Nothing to rotate from: put the new key in VAULT_INDEX_KEY and the old one "
                "in VAULT_RETIRED_INDEX_KEYS, deploy, then run this again."
            )
        if not (settings.VAULT_PSEUDONYM_KEY and settings.VAULT_AUDIT_SEAL_KEY):
            raise CommandError(STABLE_KEYS_NEEDED)

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
