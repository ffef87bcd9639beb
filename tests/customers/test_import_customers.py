"""manage.py import_customers: a customer list joins with its consent evidence (issue 12)."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditAction, AuditEvent
from consent.models import ConsentEvent, ConsentSource, Notice
from consent.selectors import current_consents
from consent.services import set_consent
from customers import onboarding
from customers.models import Customer
from customers.selectors import customer_by_email, customer_by_external_id
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")

HEADER = "external_id,email,full_name,phone,consents,consent_at\n"


def _csv(tmp_path, body: str, header: str = HEADER, name="list.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def _run(path, *extra, lawful_basis="contract") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--lawful-basis", lawful_basis] if lawful_basis else []
    call_command(
        "import_customers", path, "--source", "Old Shop", *args, *extra, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def test_rows_become_customers_with_their_consent_evidence(tmp_path):
    body = (
        "c-1,ada@example.org,Ada One,+44 20 7946 0001,account;personalization,2025-03-01\n"
        "c-2,bob@example.org,Bob Two,,account,2025-04-02T10:00:00Z\n"
    )
    output, progress = _run(_csv(tmp_path, body))
    assert output.splitlines()[-1].startswith("created 2, merged 0, refused 0 (2 rows in ")
    assert progress.startswith("... 2 rows, ")
    ada = customer_by_email("ADA@example.org")
    assert (ada.external_id, ada.full_name, ada.phone) == ("c-1", "Ada One", "+442079460001")
    assert DataKey.objects.filter(subject_id=ada.pk).exists()
    consents = current_consents(ada.pk)
    assert consents["account"].granted and consents["personalization"].granted
    assert not consents["marketing_email"].granted
    events = ConsentEvent.objects.filter(customer=ada)
    assert {(e.source, e.channel, e.given_at.date().isoformat()) for e in events} == {
        ("import", "old-shop", "2025-03-01")
    }
    created = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CREATED, subject_id=ada.pk)
    assert created.metadata == {"source": "import", "lawful_basis": "contract"}
    imported = AuditEvent.objects.get(action=AuditAction.CUSTOMERS_IMPORTED)
    assert imported.object_id == "old-shop"
    assert imported.metadata["created"] == 2 and imported.metadata["lawful_basis"] == "contract"


def test_rows_without_consent_evidence_are_refused_by_line_and_never_stored(tmp_path):
    body = (
        "c-1,ada@example.org,Ada,,,2025-03-01\n"  # no purposes
        "c-2,bob@example.org,Bob,,account,\n"  # no time
        "c-3,cy@example.org,Cy,,account,2999-01-01\n"  # in the future
        "c-4,dee@example.org,Dee,,personalization,2025-03-01\n"  # no account
        "c-5,not-an-email,Eve,,account,2025-03-01\n"
        "c-6,fay@example.org,Fay,,account;fay@example.org,2025-03-01\n"  # a value as a code
        ",gus@example.org,Gus,,account,2025-03-01\n"  # no external id
        "c-8,hal@example.org,Hal,12,account,2025-03-01\n"  # a bad phone
    )
    output, _progress = _run(_csv(tmp_path, body))
    lines = output.splitlines()
    assert lines[0].startswith("line 2: refused (consents: No consent evidence")
    assert lines[1].startswith("line 3: refused (consent_at: Give when consent was given")
    assert lines[2] == "line 4: refused (consent_at: Consent cannot be given in the future.)"
    assert lines[3].startswith("line 5: refused (consents: A customer cannot be stored without")
    assert lines[4].startswith("line 6: refused (email:")
    assert lines[5].startswith("line 7: refused (consents: Unknown purpose")
    assert lines[6].startswith("line 8: refused (external_id:")
    assert lines[7].startswith("line 9: refused (phone:")
    assert lines[-1].startswith("created 0, merged 0, refused 8")
    assert not Customer.objects.exists() and not DataKey.objects.exists()
    assert not ConsentEvent.objects.exists()
    # Messages name lines and fields, never a value from the file.
    assert "example.org" not in output and "Eve" not in output


def test_a_lawful_basis_is_required_from_the_list_or_the_row(tmp_path):
    header = "external_id,email,consents,consent_at,lawful_basis\n"
    body = (
        "c-1,ada@example.org,account,2025-03-01,contract\n"
        "c-2,bob@example.org,account,2025-03-01,\n"
        "c-3,cy@example.org,account,2025-03-01,whim\n"
    )
    output, _progress = _run(_csv(tmp_path, body, header), lawful_basis=None)
    lines = output.splitlines()
    assert (
        lines[0]
        == "line 3: refused (lawful_basis: No lawful basis: give --lawful-basis or the column.)"
    )
    assert lines[1] == "line 4: refused (lawful_basis: Unknown lawful basis.)"
    assert Customer.objects.count() == 1
    created = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CREATED)
    assert created.metadata["lawful_basis"] == "contract"


def test_duplicates_merge_into_the_stored_customer_without_overwriting_it(tmp_path, make_customer):
    # The stored customer has a name, no phone, and withdrew marketing email.
    customer = make_customer(phone=None)
    set_consent(
        customer=customer,
        purpose="marketing_email",
        granted=False,
        source=ConsentSource.PORTAL,
        actor="customer",
    )
    before = current_consents(customer.pk)
    body = (
        f"other-id,{customer.email.upper()},Another Name,+44 20 7946 0009,"
        "account;marketing_email;analytics,2025-03-01\n"
    )
    output, _progress = _run(_csv(tmp_path, body))
    assert output.splitlines()[-1].startswith("created 0, merged 1, refused 0")
    customer.refresh_from_db()
    assert customer.full_name != "Another Name"  # kept
    assert customer.phone == "+442079460009"  # was empty: filled
    assert customer.external_id != "other-id"  # identifiers never change on import
    after = current_consents(customer.pk)
    assert after["marketing_email"] == before["marketing_email"]  # a withdrawal stays
    assert after["analytics"].granted  # no earlier choice: the row's evidence counts
    analytics = ConsentEvent.objects.get(customer=customer, purpose_id="analytics")
    assert (analytics.source, analytics.channel) == ("import", "old-shop")
    assert Customer.objects.count() == 1


def test_rows_repeating_each_other_merge_within_a_batch_and_across_batches(tmp_path):
    body = (
        "c-1,ada@example.org,Ada,,account,2025-03-01\n"
        "c-1,ada@example.org,,+44 20 7946 0001,account;analytics,2025-03-02\n"  # same batch
        "c-2,bob@example.org,Bob,,account,2025-03-01\n"
        "c-3,ADA@example.org,,,account,2025-03-01\n"  # next batch, same email, other id
    )
    path = _csv(tmp_path, body)
    dry, _progress = _run(path, "--dry-run", "--batch-size", "2")
    assert dry.splitlines()[-1].startswith(
        "Dry run, nothing stored: would be created 2, merged 2, refused 0"
    )
    assert not Customer.objects.exists() and not DataKey.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMERS_IMPORTED).exists()

    output, progress = _run(path, "--batch-size", "2")
    assert output.splitlines()[-1].startswith("created 2, merged 2, refused 0")
    assert progress.count("... ") == 2
    ada = customer_by_external_id("c-1")
    assert ada.phone == "+442079460001" and ada.full_name == "Ada"
    assert current_consents(ada.pk)["analytics"].granted
    assert Customer.objects.count() == 2


def test_an_email_and_an_external_id_of_two_customers_is_refused(tmp_path, make_customer):
    first = make_customer(external_id="c-1")
    make_customer(external_id="c-2", email="second@example.org")
    body = "c-1,second@example.org,,,account,2025-03-01\n"
    output, _progress = _run(_csv(tmp_path, body))
    assert output.splitlines()[0] == (
        "line 2: refused (email: The email and the external id belong to two different customers.)"
    )
    first.refresh_from_db()
    assert first.email != "second@example.org"


def test_the_notice_version_shown_is_recorded_and_checked(tmp_path):
    current = Notice.objects.filter(purpose_id="account").order_by("-version").first()
    header = "external_id,email,consents,consent_at,notice_version\n"
    body = (
        f"c-1,ada@example.org,account,2025-03-01,{current.version}\n"
        "c-2,bob@example.org,account,2025-03-01,999\n"
        "c-3,cy@example.org,account,2025-03-01,v2\n"
    )
    output, _progress = _run(_csv(tmp_path, body, header))
    lines = output.splitlines()
    assert lines[0] == "line 3: refused (notice_version: No notice of this version for: account.)"
    assert lines[1] == "line 4: refused (notice_version: Give the notice version as a number.)"
    event = ConsentEvent.objects.get(purpose_id="account")
    assert event.notice_id == current.pk


def test_the_report_file_lists_every_row(tmp_path):
    body = "c-1,ada@example.org,Ada,,account,2025-03-01\nc-2,bad,Bob,,account,2025-03-01\n"
    report = tmp_path / "report.csv"
    _run(_csv(tmp_path, body), "--report", str(report))
    rows = list(csv.DictReader(report.open()))
    assert [(row["line"], row["outcome"]) for row in rows] == [("2", "created"), ("3", "refused")]
    assert rows[0]["customer_id"] == str(customer_by_external_id("c-1").pk)
    assert rows[1]["messages"].startswith("email:")


def test_bad_files_are_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="lacks the columns: consents, consent_at"):
        _run(_csv(tmp_path, "c-1,a@example.org\n", "external_id,email\n"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "c-1,caf\xe9@example.org,,,account,2025-03-01\n").encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        _run(str(latin))
    with pytest.raises(CommandError, match="Cannot open"):
        _run(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--source"):
        call_command("import_customers", str(latin), "--source", "!!!", stdout=io.StringIO())
    assert not Customer.objects.exists()


def test_a_write_race_lost_to_another_writer_refuses_only_that_item(monkeypatch):
    """Between the check and the bulk insert another writer stores the same email: the
    batch falls back to one by one, and only the item that lost is refused."""
    items = [
        {"external_id": f"c-{n}", "email": f"p{n}@example.org", "consents": {"account": True}}
        for n in range(3)
    ]
    check, raced = onboarding.check, []

    def check_then_lose_the_race(batch, evidence=None):
        fit, refused = check(batch, evidence)
        if not raced:
            raced.append(True)
            other = {**items[1], "external_id": "elsewhere"}
            onboarding.create_customers([other], actor="system:other")
        return fit, refused

    monkeypatch.setattr(onboarding, "check", check_then_lose_the_race)
    results = onboarding.create_customers(items, actor="system:test")
    monkeypatch.undo()
    assert [result.status for result in results] == ["created", "duplicate", "created"]
    assert results[1].errors == {"email": ["A customer with this email already exists."]}
    assert Customer.objects.count() == 3
    assert DataKey.objects.count() == 3


def test_the_report_file_is_born_readable_by_the_operator_only(tmp_path):
    import os
    import stat

    body = "c-1,ada@example.org,Ada,,account,2025-03-01\n"
    report = tmp_path / "report.csv"
    previous = os.umask(0o022)
    try:
        _run(_csv(tmp_path, body), "--report", str(report))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="exists"):
        _run(_csv(tmp_path, "c-2,bo@example.org,Bo,,account,2025-03-01\n"), "--report", str(report))
