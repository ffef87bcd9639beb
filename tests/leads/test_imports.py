import io

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from leads.models import Lead, LeadConsent

pytestmark = pytest.mark.django_db(databases="__all__")

HEADER = "email,full_name,phone,company,consents,consent_at\n"


def _csv(tmp_path, body: str):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + body)
    return str(path)


def _run(path, *extra) -> str:
    out = io.StringIO()
    call_command("import_leads", path, "--source", "Expo 2026", *extra, stdout=out, stderr=out)
    return out.getvalue()


BODY = (
    "ada@example.org,Ada One,,Acme,marketing_post;analytics,2026-03-01\n"
    "bob@example.org,Bob Two,,,,2026-03-01\n"  # no consent evidence
    "ADA@example.org,Ada One,+44 20 7946 0003,,marketing_email,2026-03-02T10:00:00Z\n"
    "not-an-email,Cy,,,marketing_post,2026-03-01\n"
    "{customer},Known,,,marketing_post,2026-03-01\n"
    "dee@example.org,Dee,,,marketing_post,\n"  # no time
    "eve@example.org,Eve,,,eve@example.org,2026-03-01\n"  # a value where a code belongs
)


def test_import_reports_each_row_and_merges_duplicates(tmp_path, customer):
    output = _run(_csv(tmp_path, BODY.format(customer=customer.email)), "--lawful-basis", "consent")
    lines = output.splitlines()
    assert "line 2: created" in lines
    assert any(line.startswith("line 3: refused (consents:") for line in lines)
    assert "line 4: merged" in lines
    assert any(line.startswith("line 5: refused (email:") for line in lines)
    assert "line 6: existing_customer" in lines
    assert any(line.startswith("line 7: refused (consent_at:") for line in lines)
    assert "line 8: refused (consents: Unknown purpose.)" in lines
    assert lines[-1] == "created 1, merged 1, existing customer 1, refused 4"
    # The report never repeats a value from the file.
    assert "example.org" not in output and "Ada" not in output
    lead = Lead.objects.get()
    assert (lead.source, lead.method, lead.phone) == ("expo-2026", "import", "+442079460003")
    assert sorted(LeadConsent.objects.values_list("purpose_id", flat=True)) == [
        "analytics",
        "marketing_email",
        "marketing_post",
    ]
    assert set(LeadConsent.objects.values_list("channel", "lawful_basis")) == {
        ("expo-2026", "consent")
    }
    assert AuditEvent.objects.filter(action="leads.imported").count() == 1


def test_rows_without_a_lawful_basis_are_refused(tmp_path):
    output = _run(_csv(tmp_path, "eve@example.org,Eve,,,marketing_post,2026-03-01\n"))
    assert "line 2: refused (lawful_basis:" in output
    assert Lead.objects.count() == 0


def test_dry_run_stores_nothing_and_says_what_would_happen(tmp_path, customer):
    output = _run(
        _csv(tmp_path, BODY.format(customer=customer.email)),
        "--lawful-basis",
        "consent",
        "--dry-run",
    )
    assert output.splitlines()[-1] == (
        "Dry run, nothing stored: would be created 1, merged 1, existing customer 1, refused 4"
    )
    assert Lead.objects.count() == 0
    assert LeadConsent.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="leads.lead").exists()
