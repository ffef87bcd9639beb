"""Issue 25, item 4, through HTTP: the access review lists staff reveals and views with
who (username and role), which details, which customer (masked), why and when; filters by
staff member, purpose and date; flags break-glass, self-made and unusual volume; marks
a flagged access reviewed with a note; exports CSV. English and Bahasa Indonesia."""

import csv
import io
from functools import partial

import pytest
from django.utils import formats, timezone

from access.models import AccessReview
from access.roles import Role
from audit.models import AuditAction, AuditEvent
from tests.factories import CustomerFactory, staff_access

pytestmark = pytest.mark.django_db(databases="__all__")

PAGE = "/dashboard/privacy/access/"
CSV = "/dashboard/privacy/access.csv"
NOTE = "Asked the agent: the customer had phoned in."


access = partial(staff_access, fields="email,phone")


@pytest.fixture
def ada():
    return CustomerFactory(full_name="Ada Lovelace", email="ada@example.com")


def test_the_review_names_who_what_whom_masked_why_and_when(signed_in, make_staff, ada):
    agent = make_staff(Role.SUPPORT_AGENT, username="agent-anna")
    event = access(agent, ada, purpose="reason:4")
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "agent-anna · Support agent" in page
    assert "Revealed: Email, Phone" in page
    assert str(ada.pk)[:8] in page and f"/dashboard/customers/{ada.pk}/" in page
    assert "Break-glass reason" in page and ">Reason<" in page
    local = formats.date_format(timezone.localtime(event.occurred_at), "SHORT_DATETIME_FORMAT")
    assert local in page
    assert "Ada Lovelace" not in page and "ada@example.com" not in page
    assert "reason:4" not in page and "support_agent" not in page


def test_the_review_speaks_bahasa_indonesia(signed_in, make_staff, ada):
    access(make_staff(Role.SUPPORT_AGENT), ada, review="self_made")
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Tinjauan akses" in page and "Akses atas inisiatif sendiri" in page
    assert "Agen layanan" in page


def test_filters_by_staff_member_purpose_and_date(signed_in, make_staff, ada):
    anna = make_staff(Role.SUPPORT_AGENT, username="agent-anna")
    bob = make_staff(Role.SUPPORT_AGENT, username="agent-bob")
    access(anna, ada, purpose="ticket:1")
    access(bob, ada, purpose="request:2")
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    only_anna = client.get(PAGE, {"staff": anna.pk}).content.decode()
    assert "agent-anna" in only_anna.split("<tbody>")[1] and "agent-bob ·" not in only_anna
    requests = client.get(PAGE, {"purpose_kind": "request"}).content.decode()
    assert "agent-bob ·" in requests and "agent-anna ·" not in requests
    today = timezone.localdate().isoformat()
    assert (
        "agent-bob ·" in client.get(PAGE, {"date_from": today, "date_to": today}).content.decode()
    )


def test_bad_filters_are_form_errors_not_a_500(signed_in):
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    response = client.get(PAGE, {"date_from": "2026-12-07", "date_to": "2026-12-01"})
    assert response.status_code == 400
    assert "Choose a date on or after the first one." in response.content.decode()
    assert client.get(PAGE, {"date_from": "yesterday", "staff": "x"}).status_code == 400
    assert client.get(CSV, {"date_from": "yesterday"}).status_code == 400


def test_an_officer_marks_a_flagged_access_reviewed_with_a_note(signed_in, make_staff, ada):
    agent = make_staff(Role.SUPPORT_AGENT)
    event = access(agent, ada, review="break_glass")
    unflagged = access(agent, ada, purpose="request:1")
    client, officer = signed_in(Role.PRIVACY_OFFICER, username="pia")
    page = client.get(PAGE, {"show": "flagged"}).content.decode()
    assert f"/dashboard/privacy/access/{event.pk}/reviewed/" in page
    assert f"/dashboard/privacy/access/{unflagged.pk}/reviewed/" not in page

    response = client.post(
        f"{PAGE}{event.pk}/reviewed/",
        {f"r{event.pk}-note": NOTE, f"r{event.pk}-back": "show=flagged&evil=1"},
    )
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?show=flagged"
    review = AccessReview.objects.get()
    assert (review.event_id, review.reviewer, review.note) == (event.pk, officer, NOTE)
    audit = AuditEvent.objects.get(action=AuditAction.ACCESS_REVIEWED)
    assert NOTE not in str(audit.metadata) and audit.object_id == str(event.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Reviewed" in page and "by pia" in page and NOTE in page
    assert "No access matches." in client.get(PAGE, {"show": "to_review"}).content.decode()

    again = client.post(f"{PAGE}{event.pk}/reviewed/", {f"r{event.pk}-note": ""})
    assert again.status_code == 400
    assert "already marked reviewed" in again.content.decode()
    assert AccessReview.objects.count() == 1


def test_a_too_long_note_comes_back_as_a_form_error(signed_in, make_staff, ada):
    event = access(make_staff(Role.SUPPORT_AGENT), ada, purpose="reason:1")
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(f"{PAGE}{event.pk}/reviewed/", {f"r{event.pk}-note": "x" * 1001})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not AccessReview.objects.exists()
    unknown = client.post(f"{PAGE}999999/reviewed/", {"r999999-note": ""})
    assert unknown.status_code == 400 and "no such access" in unknown.content.decode()


def test_unusual_volume_is_flagged_by_the_setting(signed_in, make_staff, ada, settings):
    settings.ACCESS_REVIEW_DAILY_REVEALS = 2
    agent = make_staff(Role.SUPPORT_AGENT)
    for _ in range(3):
        access(agent, ada)
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    assert client.get(PAGE).content.decode().count("Unusual volume</span>") == 3
    settings.ACCESS_REVIEW_DAILY_REVEALS = 3
    assert "Unusual volume</span>" not in client.get(PAGE).content.decode()


def test_the_csv_export_lists_the_filtered_accesses_without_notes(signed_in, make_staff, ada):
    anna = make_staff(Role.SUPPORT_AGENT, username="agent-anna")
    event = access(anna, ada, purpose="reason:4")
    access(make_staff(Role.SUPPORT_AGENT, username="agent-bob"), ada)
    client, _officer = signed_in(Role.PRIVACY_OFFICER, username="pia")
    client.post(f"{PAGE}{event.pk}/reviewed/", {f"r{event.pk}-note": NOTE})
    response = client.get(CSV, {"staff": anna.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert NOTE not in body and "ada@example.com" not in body
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][1:] == [
        "Staff member", "Role", "What", "Details", "Customer", "Purpose", "Flags",
        "Reviewed by", "Reviewed",
    ]  # fmt: skip
    assert len(rows) == 2
    row = rows[1]
    assert row[1:8] == [
        "agent-anna", "Support agent", "Revealed", "Email, Phone", str(ada.pk)[:8], "Reason",
        "Break-glass reason",
    ]  # fmt: skip
    assert row[8] == "pia" and row[9]
