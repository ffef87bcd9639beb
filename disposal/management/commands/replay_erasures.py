"""After restoring a backup: `manage.py replay_erasures` erases again everyone the
erasure log says is gone, so a restore can never bring a customer back."""

from django.core.management.base import BaseCommand

from disposal.verification import replay_erasures
from vault.services import key_scope


class Command(BaseCommand):
    help = "Re-apply every logged erasure to a restored data database or key store."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count who is back.")

    def handle(self, *args, dry_run, **options):
        def progress(done, total):
            self.stdout.write(f"  {done}/{total} erased again")

        with key_scope():
            result = replay_erasures(dry_run=dry_run, progress=progress)
        if dry_run:
            self.stdout.write(f"{len(result)} erased subject(s) are back after the restore.")
            for subject_id in result:
                self.stdout.write(f"  {subject_id}")
            return
        self.stdout.write(self.style.SUCCESS(f"Re-applied {len(result)} erasure(s)."))
