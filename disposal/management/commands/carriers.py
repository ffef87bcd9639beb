"""manage.py carriers add|sanitize|lost|retire|list: the data-carrier register for
operators. Scripts depend on these forms and outputs (docs/staff/data-carriers.md):

  carriers add --kind KIND --label TEXT [--location TEXT] [--custodian USER]
               [--holds CATEGORY ...] [--encrypted | --not-encrypted]   -> the carrier id
  carriers sanitize ID --method clear|purge|destroy|crypto-erase
               --performed-by USER                                      -> the record id
           (the carrier then awaits verification: a second staff member confirms it
           on the dashboard, signed in as themselves; no command names a verifier)
  carriers lost ID                                                      -> the incident id
  carriers retire ID
  carriers list [--status STATUS]          -> one line per carrier: id, kind, label, status

Refusals (already sanitized or awaiting verification, unknown id or user) exit with
status 1 and a message on stderr.
"""

import uuid
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from disposal import carriers
from disposal.models import CarrierKind, CarrierStatus, DataCarrier, SanitizationMethod
from disposal.selectors import carrier_register

ACTOR = "operator"


def _messages(error: ValidationError) -> str:
    return " ".join(problem for problems in error.message_dict.values() for problem in problems)


def _user(username: str | None):
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No staff user named {username!r}.")
    return user


def _carrier(carrier_id: str) -> DataCarrier:
    try:
        pk = uuid.UUID(carrier_id)
    except ValueError as error:
        raise CommandError(f"{carrier_id!r} is not a carrier id.") from error
    carrier = DataCarrier.objects.filter(pk=pk).first()
    if carrier is None:
        raise CommandError(f"No carrier with id {carrier_id}.")
    return carrier


class Command(BaseCommand):
    help = "The register of data carriers: add, sanitize, lost, retire, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        add = sub.add_parser("add", help="Register a carrier; prints its id.")
        add.add_argument("--kind", required=True, choices=CarrierKind.values)
        add.add_argument("--label", required=True, help="No personal data: equipment words.")
        add.add_argument("--location", default="")
        add.add_argument("--custodian", metavar="USER", help="The staff username.")
        add.add_argument("--holds", nargs="+", default=[], metavar="CATEGORY")
        add.add_argument("--backups-up-to", type=date.fromisoformat, metavar="YYYY-MM-DD")
        add.add_argument("--encryption", default="", help="How it is encrypted.")
        encrypted = add.add_mutually_exclusive_group()
        encrypted.add_argument("--encrypted", dest="encrypted", action="store_true")
        encrypted.add_argument("--not-encrypted", dest="encrypted", action="store_false")
        add.set_defaults(encrypted=False)

        sanitize = sub.add_parser("sanitize", help="Record a sanitization; prints its id.")
        sanitize.add_argument("id")
        sanitize.add_argument("--method", required=True, choices=SanitizationMethod.values)
        sanitize.add_argument("--performed-by", required=True, metavar="USER")
        sanitize.add_argument("--tool", default="", help="Tool or procedure used.")

        lost = sub.add_parser("lost", help="Report a carrier lost; prints the incident id.")
        lost.add_argument("id")

        retire = sub.add_parser("retire", help="Take a carrier out of service.")
        retire.add_argument("id")

        listing = sub.add_parser("list", help="One line per carrier.")
        listing.add_argument("--status", choices=CarrierStatus.values)

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(_messages(error)) from error

    def _add(
        self,
        *,
        kind,
        label,
        location,
        custodian,
        holds,
        backups_up_to,
        encryption,
        encrypted,
        **options,
    ):
        carrier = carriers.register_carrier(
            kind=kind,
            label=label,
            location=location,
            custodian=_user(custodian),
            holds=holds,
            backups_up_to=backups_up_to,
            encrypted=encrypted,
            encryption=encryption,
            actor=ACTOR,
        )
        self.stdout.write(str(carrier.pk))

    def _sanitize(self, *, id, method, performed_by, tool, **options):
        record = carriers.sanitize_carrier(
            carrier=_carrier(id),
            method=method,
            performed_by=_user(performed_by),
            tool=tool,
            actor=ACTOR,
        )
        self.stdout.write(str(record.pk))

    def _lost(self, *, id, **options):
        incident = carriers.report_lost(carrier=_carrier(id), actor=ACTOR)
        self.stdout.write(str(incident.pk))

    def _retire(self, *, id, **options):
        carrier = carriers.retire_carrier(carrier=_carrier(id), actor=ACTOR)
        self.stdout.write(f"{carrier.pk}\t{carrier.status}")

    def _list(self, *, status=None, **options):
        for carrier in carrier_register(status=status or ""):
            self.stdout.write(f"{carrier.pk}\t{carrier.kind}\t{carrier.label}\t{carrier.status}")
