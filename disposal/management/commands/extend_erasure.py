"""`manage.py extend_erasure <request id> --months 1 --reason "..."` (GDPR Art. 12(3))."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from disposal.selectors import erasure_request_get
from disposal.services import extend_deadline


class Command(BaseCommand):
    help = "Extend an erasure's deadline by one or two months, with the reason recorded."

    def add_arguments(self, parser):
        parser.add_argument("request_id")
        parser.add_argument("--months", type=int, required=True, choices=[1, 2])
        parser.add_argument("--reason", required=True, help="Why (kept with the request).")

    def handle(self, *args, request_id, months, reason, **options):
        request = erasure_request_get(request_id)
        if request is None:
            raise CommandError(f"No erasure request with id {request_id}.")
        try:
            extend_deadline(request=request, months=months, reason=reason, actor="operator")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Due by {request.due_by}."))
