"""Issue 32, item 2: `manage.py import_customers` does not grant a double opt-in
purpose from a list: new and merged customers are mailed a link to confirm it."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from consent.models import ConsentConfirmation
from consent.selectors import current_consents
from customers.selectors import customer_by_email

pytestmark = pytest.mark.django_db(databases="__all__")

HEADER = "external_id,email,full_name,phone,consents,consent_at\n"


def _run(tmp_path, body: str) -> str:
    path = tmp_path / "list.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_customers",
        str(path),
        "--source",
        "Old Shop",
        "--lawful-basis",
        "consent",
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_an_imported_double_opt_in_waits_for_the_mailed_link(
    tmp_path, make_customer, django_capture_on_commit_callbacks
):
    known = make_customer()
    body = (
        "c-1,ada@example.org,Ada,,account;marketing_email;analytics,2025-03-01\n"
        f"c-2,{known.email},Known,,account;marketing_email,2025-03-01\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        output = _run(tmp_path, body)
    assert output.splitlines()[-1].startswith("created 1, merged 1, refused 0")
    ada = customer_by_email("ada@example.org")
    for customer in (ada, known):
        consents = current_consents(customer.pk)
        assert not consents["marketing_email"].granted
        assert ConsentConfirmation.objects.filter(
            customer=customer, purpose_id="marketing_email", confirmed_at=None
        ).exists()
    assert current_consents(ada.pk)["analytics"].granted
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["ada@example.org", known.email]
    )
