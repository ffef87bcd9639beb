"""`manage.py export_customer <customer id> [--output file.json]`: the access-request
export (the same JSON the API serves), for answering a request made by post or phone."""

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disposal.exceptions import UnknownSubject
from disposal.exports import export_customer

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Command(BaseCommand):
    help = "Write everything held on a customer as versioned JSON (audited)."

    def add_arguments(self, parser):
        parser.add_argument("customer_id")
        parser.add_argument("--output", type=Path, help="File to write (default: stdout).")

    def handle(self, *args, customer_id, output, **options):
        try:
            document = export_customer(
                customer_id=customer_id, actor="operator", copy_source="operator"
            )
        except UnknownSubject as error:
            raise CommandError(f"No customer with id {customer_id}.") from error
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if output is None:
            self.stdout.write(text)
            return
        # Personal data: the file is born readable by the operator only (mode 600 at
        # creation, whatever the umask), and an existing file or link is never reused.
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
        except FileExistsError as error:
            raise CommandError(f"{output} exists; choose a new file name.") from error
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self.stderr.write(f"Wrote {output} ({len(text)} characters).")
