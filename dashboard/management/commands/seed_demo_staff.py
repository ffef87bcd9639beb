"""manage.py seed_demo_staff: one demo user per role (idempotent), for `make run`.

Passwords come from DEV_STAFF_PASSWORD (or DEV_ADMIN_PASSWORD in an older .env). A few
demo data-subject requests are opened too, so each role has work on its first sign-in:
the agent has a request assigned (and so may reveal that customer's details), and a
queue of service tickets (service/demo.py), some overdue. The data-carrier register gets
a few demo carriers (servers, a key-store backup tape, a laptop sanitized with its
certificate) so the privacy officer's register is not empty.
"""

import os
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from access.roles import Role
from access.staff import save_staff_user
from customers import demo
from customers.selectors import customer_by_external_id
from disposal import carriers
from disposal.models import CarrierKind, DataCarrier
from privacy import services
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind
from service.demo import seed_tickets

DEMO_USERS = {
    "agent": Role.SUPPORT_AGENT,
    "marketer": Role.MARKETING,
    "privacy": Role.PRIVACY_OFFICER,
    "administrator": Role.ADMINISTRATOR,
}
ACTOR = "system:seed_demo_staff"
# (demo customer number, kind, assignee, days ago received)
DEMO_REQUESTS = (
    (1, RequestKind.ACCESS, "agent", 3),
    (2, RequestKind.ERASURE, "privacy", 10),
    (3, RequestKind.ACCESS, "privacy", 40),
    (4, RequestKind.RESTRICTION, "privacy", 27),
)


class Command(BaseCommand):
    help = "Create one demo staff user per role and a few demo data-subject requests."

    def handle(self, *args, **options):
        password = os.environ.get("DEV_STAFF_PASSWORD") or os.environ.get("DEV_ADMIN_PASSWORD")
        if not password:
            self.stdout.write("No DEV_STAFF_PASSWORD set: no demo staff users made.")
            return
        users = {}
        for username, role in DEMO_USERS.items():
            users[username], _created = save_staff_user(
                username=username,
                role=role,
                password=password,
                email=f"{username}@staff.invalid",
            )
        opened = self._requests(users)
        registered = self._carriers(users)
        tickets = seed_tickets(agent=users["agent"])
        source = (
            "DEV_STAFF_PASSWORD" if os.environ.get("DEV_STAFF_PASSWORD") else "DEV_ADMIN_PASSWORD"
        )
        self.stdout.write(self.style.SUCCESS("Staff dashboard: http://127.0.0.1:8000/dashboard/"))
        for username, role in DEMO_USERS.items():
            self.stdout.write(f"  sign in as {username!r:16} ({role.label})")
        self.stdout.write(f"  password: {source} in .env (grep {source} .env)")
        if opened:
            self.stdout.write(f"  {opened} demo data-subject requests opened.")
        if registered:
            self.stdout.write(f"  {registered} demo data carriers registered.")
        if tickets:
            self.stdout.write(f"  {tickets} demo service tickets opened (agent's queue).")

    def _requests(self, users) -> int:
        opened = 0
        for number, kind, assignee, days_ago in DEMO_REQUESTS:
            customer = customer_by_external_id(demo.external_id(number))
            if customer is None or DataSubjectRequest.objects.filter(customer=customer).exists():
                continue
            services.open_request(
                customer=customer,
                kind=kind,
                channel=RequestChannel.EMAIL,
                actor=ACTOR,
                received_at=timezone.now() - timedelta(days=days_ago),
                assignee=users[assignee],
            )
            opened += 1
        return opened

    def _carriers(self, users) -> int:
        if DataCarrier.objects.exists():
            return 0
        categories = [name for name in carriers.known_holdings() if name != "key_store"]
        admin = users["administrator"]
        demo_carriers = [
            carriers.register_carrier(
                kind=CarrierKind.DATABASE_DISK,
                label="Data database server, NVMe pair",
                location="Data centre, rack 1",
                custodian=admin,
                holds=categories,
                encrypted=True,
                encryption="LUKS2, AES-XTS-512",
                actor=ACTOR,
            ),
            carriers.register_carrier(
                kind=CarrierKind.DATABASE_DISK,
                label="Key-store server disk",
                location="Data centre, rack 2",
                custodian=admin,
                holds=["key_store"],
                encrypted=True,
                encryption="LUKS2, AES-XTS-512",
                actor=ACTOR,
            ),
            carriers.register_carrier(
                kind=CarrierKind.BACKUP_MEDIUM,
                label="Key-store backup tape",
                location="Safe, office 2",
                custodian=admin,
                holds=["key_store"],
                backups_up_to=timezone.localdate() - timedelta(days=7),
                encrypted=True,
                encryption="LTO hardware encryption, key in the safe",
                actor=ACTOR,
            ),
        ]
        laptop = carriers.register_carrier(
            kind=CarrierKind.WORKSTATION,
            label="Laptop LT-07",
            location="IT store room",
            custodian=users["privacy"],
            holds=["profile", "interactions"],
            encrypted=True,
            encryption="FileVault 2",
            actor=ACTOR,
        )
        carriers.retire_carrier(carrier=laptop, actor=ACTOR)
        carriers.sanitize_carrier(
            carrier=laptop,
            method="crypto-erase",
            tool="FileVault key destroyed (Erase All Content and Settings)",
            performed_by=admin,
            actor=ACTOR,
        )
        carriers.verify_sanitization(carrier=laptop, verifier=users["privacy"])
        return len(demo_carriers) + 1
