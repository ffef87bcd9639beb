"""manage.py create_staff <username> --role <role>: a dashboard user with one role.

The password is prompted for, or read from the environment variable named by
--password-env (for scripts), never from the command line (it would sit in shell history).
Running it again for an existing user changes their role (and password, if given).
"""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from access.roles import Role
from access.staff import save_staff_user


class Command(BaseCommand):
    help = "Create or update a staff user of the dashboard with one role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--email", default="", help="for privacy-desk reminder mails")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="read the password from this environment variable instead of prompting",
        )

    def handle(self, *args, username, role, email, password_env, **options):
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"The environment variable {password_env} is not set.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user, created = save_staff_user(
                username=username, role=Role(role), password=password, email=email
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} staff user {user.username!r} ({role})."))
