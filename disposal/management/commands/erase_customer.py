"""Erase a customer and watch the job: `manage.py erase_customer <customer id>`."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from disposal.exceptions import UnknownSubject
from disposal.models import ErasureRequest, ErasureSource, ErasureStatus
from disposal.selectors import certificate_of
from disposal.services import request_erasure, run_erasure
from vault.services import key_scope

FINISHED = (ErasureStatus.DONE, ErasureStatus.FAILED)


class Command(BaseCommand):
    help = "Open an erasure request for a customer, follow its steps, print the certificate."

    def add_arguments(self, parser):
        parser.add_argument("customer_id", help="The customer's id (UUID).")
        parser.add_argument(
            "--no-wait", action="store_true", help="Queue the job and return at once."
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Run the steps in this process instead of on a Celery worker.",
        )
        parser.add_argument("--timeout", type=float, default=600, help="Seconds to watch.")

    def handle(self, *args, customer_id, no_wait, in_process, timeout, **options):
        try:
            request = request_erasure(
                customer_id=customer_id, source=ErasureSource.STAFF, actor="operator"
            )
        except (UnknownSubject, ValueError) as error:
            raise CommandError(f"No customer with id {customer_id}.") from error
        self.stdout.write(
            f"Erasure request {request.pk} ({request.status}), due by {request.due_by}"
        )
        if no_wait:
            return
        if in_process:
            with key_scope():
                try:
                    run_erasure(request_id=request.pk)
                except Exception as error:
                    raise CommandError(f"Erasure failed ({type(error).__name__}).") from error
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            request = ErasureRequest.objects.get(pk=request.pk)
            for step in request.steps_done[len(seen) :]:
                self.stdout.write(f"  done: {step}")
            seen = list(request.steps_done)
            if request.status in FINISHED:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"Still {request.status} after {timeout:.0f} s; check again.")
            time.sleep(0.5)
        if request.status == ErasureStatus.FAILED:
            raise CommandError(
                f"Erasure failed ({request.error}); it resumes automatically, or run again."
            )
        certificate = certificate_of(request)
        self.stdout.write(json.dumps(certificate, cls=DjangoJSONEncoder, indent=2))
        self.stdout.write(
            self.style.SUCCESS(f"Erased. Verify: manage.py verify_erasure {request.pk}")
        )
