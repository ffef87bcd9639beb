"""`manage.py carriers add|sanitize|lost|retire|list` in the exact forms scripts use."""

import base64
import os
import uuid
from io import StringIO

import pytest
from django.core.management import base, call_command, load_command_class
from django.core.management.base import CommandError

from access.roles import Role
from disposal.models import CarrierStatus, DataCarrier, Incident, SanitizationRecord
from vault.keyring import master_keys

pytestmark = pytest.mark.django_db(databases="__all__")


def run(*args) -> str:
    out = StringIO()
    call_command("carriers", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def staff(make_staff):
    return (
        make_staff(Role.ADMINISTRATOR, username="olga"),
        make_staff(Role.PRIVACY_OFFICER, username="pia"),
    )


def test_add_prints_the_new_carriers_id(staff):
    out = run(
        "add",
        "--kind",
        "backup-medium",
        "--label",
        "Tape 14",
        "--location",
        "Safe B",
        "--custodian",
        "olga",
        "--holds",
        "profile",
        "key_store",
        "--encrypted",
    )
    carrier = DataCarrier.objects.get(pk=uuid.UUID(out.strip()))
    assert (carrier.kind, carrier.label, carrier.location) == ("backup-medium", "Tape 14", "Safe B")
    assert carrier.custodian.username == "olga"
    assert carrier.holds == ["key_store", "profile"] and carrier.encrypted is True


def test_add_refuses_an_unknown_kind_and_a_category_it_does_not_know(staff):
    with pytest.raises(CommandError):
        run("add", "--kind", "floppy", "--label", "x")
    with pytest.raises(CommandError, match="Unknown data category"):
        run("add", "--kind", "workstation", "--label", "Laptop 3", "--holds", "nope")
    assert not DataCarrier.objects.exists()


def test_sanitize_prints_the_record_id_and_leaves_it_awaiting_verification(staff):
    carrier_id = run("add", "--kind", "database-disk", "--label", "Disk 1").strip()
    out = run("sanitize", carrier_id, "--method", "destroy", "--performed-by", "olga")
    record = SanitizationRecord.objects.get(pk=uuid.UUID(out.strip()))
    assert str(record.carrier_id) == carrier_id
    assert record.performed_by.username == "olga" and record.verified_by is None
    assert DataCarrier.objects.get().status == CarrierStatus.AWAITING_VERIFICATION


def test_sanitize_takes_no_verifier(staff, capsys, call_command_as_script):
    """Two people means two sign-ins: no command names a verifier on someone's behalf."""
    carrier_id = run("add", "--kind", "database-disk", "--label", "Disk 1").strip()
    with pytest.raises(SystemExit) as exit_info:
        call_command_as_script(
            "sanitize",
            carrier_id,
            "--method",
            "purge",
            "--performed-by",
            "olga",
            "--verified-by",
            "pia",
        )
    assert exit_info.value.code != 0
    assert "--verified-by" in capsys.readouterr().err
    assert DataCarrier.objects.get().status == CarrierStatus.IN_SERVICE


def test_sanitize_exits_1_when_already_recorded(staff, capsys, call_command_as_script):
    carrier_id = run("add", "--kind", "database-disk", "--label", "Disk 1").strip()
    args = ("sanitize", carrier_id, "--method", "purge", "--performed-by", "olga")
    run(*args)
    with pytest.raises(SystemExit) as exit_info:
        call_command_as_script(*args)
    assert exit_info.value.code == 1
    assert "already awaiting verification" in capsys.readouterr().err
    assert SanitizationRecord.objects.count() == 1


@pytest.fixture
def call_command_as_script(monkeypatch):
    """As `manage.py carriers ...` runs: a CommandError becomes exit status 1 with the
    message on stderr. (run_from_argv closes the connections when it ends; the test's
    transaction needs them open.)"""
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    def run_script(*args):
        command = load_command_class("disposal", "carriers")
        command.run_from_argv(["manage.py", "carriers", *args])

    return run_script


def test_lost_prints_the_incident_id_and_retire_and_list(staff):
    lost_id = run(
        "add", "--kind", "workstation", "--label", "Laptop 9", "--holds", "profile"
    ).strip()
    kept_id = run("add", "--kind", "removable-medium", "--label", "USB 2").strip()
    incident = Incident.objects.get(pk=uuid.UUID(run("lost", lost_id).strip()))
    assert str(incident.carrier_id) == lost_id and incident.categories == ["profile"]

    run("retire", kept_id)
    lines = run("list").splitlines()
    assert sorted(lines) == sorted(
        [
            f"{kept_id}\tremovable-medium\tUSB 2\tretired",
            f"{lost_id}\tworkstation\tLaptop 9\tlost",
        ]
    )
    assert run("list", "--status", "lost").splitlines() == [
        f"{lost_id}\tworkstation\tLaptop 9\tlost"
    ]


def test_an_unknown_id_or_user_is_a_clear_error(staff):
    with pytest.raises(CommandError, match="No carrier with id"):
        run("retire", str(uuid.uuid4()))
    carrier_id = run("add", "--kind", "database-disk", "--label", "Disk 1").strip()
    with pytest.raises(CommandError, match="No staff user named 'nobody'"):
        run(
            "sanitize",
            carrier_id,
            "--method",
            "clear",
            "--performed-by",
            "nobody",
        )


def test_retiring_a_master_key_prints_the_backup_carriers_it_makes_unreadable(
    staff, settings, customer
):
    old_key = settings.VAULT_MASTER_KEYS[0]
    old_id = master_keys()[0][0]
    old_tape = run(
        "add", "--kind", "backup-medium", "--label", "Tape 1", "--backups-up-to", "2020-01-31"
    ).strip()
    with pytest.raises(CommandError, match="wraps new data keys"):
        call_command("rotate_master_key", "--retire", old_id, stdout=StringIO())
    settings.VAULT_MASTER_KEYS = [base64.urlsafe_b64encode(os.urandom(32)).decode(), old_key]
    call_command("rotate_master_key", stdout=StringIO())
    out = StringIO()
    call_command("rotate_master_key", "--retire", old_id, stdout=out)
    assert f"unreadable: {old_tape}" in out.getvalue()
    assert DataCarrier.objects.get(pk=old_tape).unreadable_key == old_id
