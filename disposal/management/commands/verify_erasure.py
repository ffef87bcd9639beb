"""Prove an erasure: `manage.py verify_erasure <request id>`; exits 1 if anything is left."""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from disposal.models import ErasureRequest
from disposal.verification import verify_erasure


class Command(BaseCommand):
    help = "Search every table and the key store for anything left of an erased subject."

    def add_arguments(self, parser):
        parser.add_argument("request_id", help="The erasure request's id (UUID).")
        parser.add_argument(
            "--customer-id",
            type=uuid.UUID,
            help="The erased customer's id, if the key store no longer has it.",
        )

    def handle(self, *args, request_id, customer_id, **options):
        try:
            result = verify_erasure(request_id, subject_id=customer_id)
        except (ErasureRequest.DoesNotExist, ValidationError) as error:
            raise CommandError(f"No erasure request with id {request_id}.") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Erasure request {request_id}: searched {result.tables_searched} tables "
            "and the key store."
        )
        for note in result.notes:
            self.stdout.write(f"  note: {note}")
        for finding in result.findings:
            self.stdout.write(self.style.ERROR(f"  FOUND: {finding}"))
        if not result.clean:
            raise CommandError(f"{len(result.findings)} finding(s): the erasure is not complete.")
        self.stdout.write(self.style.SUCCESS("Nothing of the subject is left."))
