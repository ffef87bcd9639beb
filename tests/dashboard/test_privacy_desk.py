"""The privacy desk pages: the queue (overdue first), verifying and completing requests,
erasure progress with its certificate, processors, and the Art. 30 records as CSV."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from access.roles import Role
from dashboard.confirm import CONFIRM_FIELD
from disposal.models import ErasureStatus
from disposal.services import run_erasure
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind, RequestStatus
from privacy.services import open_request
from vault.categories import category_name

pytestmark = pytest.mark.django_db(databases="__all__")
CONFIRM = {CONFIRM_FIELD: "yes"}  # what the confirmation page posts


def _open(customer, kind, days_ago=0):
    return open_request(
        customer=customer,
        kind=kind,
        channel=RequestChannel.EMAIL,
        actor="system",
        received_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_queue_puts_overdue_requests_first(signed_in, make_customer):
    fresh = _open(make_customer(), RequestKind.ACCESS)
    late = _open(make_customer(), RequestKind.ERASURE, days_ago=45)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get("/dashboard/privacy/").content.decode()
    assert page.index(late.short_id) < page.index(fresh.short_id)
    assert "overdue" in page and "not verified" in page


def test_an_officer_verifies_and_completes_an_access_request(signed_in, customer):
    request = _open(customer, RequestKind.ACCESS)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"/dashboard/privacy/requests/{request.pk}/"
    early = client.post(url + "complete/")
    assert early.status_code == 302
    assert "Verify the requester" in client.get(url).content.decode()

    client.post(url + "verify/", {"method": "id_document"})
    client.post(url + "complete/")
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE

    download = client.post(url + "export/")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["customer_id"] == str(customer.pk)


def test_form_errors_come_back_in_a_summary(signed_in, customer):
    request = _open(customer, RequestKind.ACCESS)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(
        f"/dashboard/privacy/requests/{request.pk}/extend/", {"months": "1", "reason": ""}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_starting_an_erasure_leads_to_its_progress_page_and_certificate(signed_in, customer):
    request = _open(customer, RequestKind.ERASURE)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"/dashboard/privacy/requests/{request.pk}/"
    client.post(url + "verify/", {"method": "call_back"})
    response = client.post(url + "complete/", CONFIRM)
    request.refresh_from_db()
    assert response["Location"] == f"/dashboard/privacy/erasures/{request.erasure_request_id}/"
    run_erasure(request_id=request.erasure_request_id)  # on commit, as the worker would
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and "Certificate" in page
    assert str(request.erasure_request.subject_pseudonym) in page
    client.post(url + "complete/")
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert request.erasure_request.status == ErasureStatus.DONE


def test_a_request_is_recorded_from_the_customer_and_assigned_to_its_recorder(signed_in, customer):
    client, user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(
        f"/dashboard/customers/{customer.pk}/requests/new/",
        {"kind": "restriction", "channel": "post"},
    )
    request = DataSubjectRequest.objects.get(customer=customer)
    assert response["Location"] == f"/dashboard/privacy/requests/{request.pk}/"
    assert request.assignee == user and request.kind == RequestKind.RESTRICTION


def test_the_records_of_processing_come_from_the_registry_as_a_page_and_csv(signed_in):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get("/dashboard/privacy/records/").content.decode()
    assert "Your profile" in page and "records.csv" in page and "records/print/" in page
    response = client.get("/dashboard/privacy/records.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Section", "Name", "Detail", "Value"]
    entries = {(row[0], row[1]) for row in rows[1:]}
    assert ("Categories of personal data", "Your profile") in entries
    # Named as the portal names them (the one vocabulary).
    assert ("Categories of personal data", category_name("data_subject_requests")) in entries
    assert ("Purposes of the processing", "Offers by email") in entries
    at_rest = [
        row[3]
        for row in rows
        if row[:3] == ["Categories of personal data", "Your profile", "At rest"]
    ]
    assert at_rest[0].startswith(("Encrypted", "Partly encrypted"))


def test_the_desk_acts_only_within_the_users_allowed_actions(signed_in, customer, monkeypatch):
    from access import policy

    request = _open(customer, RequestKind.ERASURE)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    client.post(f"/dashboard/privacy/requests/{request.pk}/verify/", {"method": "call_back"})
    # A desk role without the erase action (the allow-list is the only place to say so).
    reduced = policy.ACTIONS[Role.PRIVACY_OFFICER] - {policy.Action.ERASE}
    monkeypatch.setitem(policy.ACTIONS, Role.PRIVACY_OFFICER, reduced)
    response = client.post(f"/dashboard/privacy/requests/{request.pk}/complete/", CONFIRM)
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.erasure_request_id is None


def _record(client, customer, received_on):
    return client.post(
        f"/dashboard/customers/{customer.pk}/requests/new/",
        {"kind": "access", "channel": "post", "received_on": received_on},
    )


def test_a_late_letter_is_recorded_with_the_day_it_arrived_and_due_a_month_after(
    signed_in, customer
):
    from disposal.deadlines import add_months

    client, _user = signed_in(Role.PRIVACY_OFFICER)
    form = client.get(f"/dashboard/customers/{customer.pk}/requests/new/").content.decode()
    assert 'name="received_on"' in form and "Received on" in form
    arrived = timezone.localdate() - timedelta(days=10)
    response = _record(client, customer, arrived.isoformat())
    request = DataSubjectRequest.objects.get(customer=customer)
    assert response["Location"] == f"/dashboard/privacy/requests/{request.pk}/"
    assert timezone.localtime(request.received_at).date() == arrived
    assert request.due_by == add_months(arrived, 1)
    page = client.get(response["Location"]).content.decode()
    assert date_format(request.due_by, "SHORT_DATE_FORMAT") in page


def test_the_reminder_follows_the_day_received_not_the_day_recorded(signed_in, customer):
    from privacy.services import remind_due_requests

    client, _user = signed_in(Role.PRIVACY_OFFICER)
    _record(client, customer, (timezone.localdate() - timedelta(days=28)).isoformat())
    assert remind_due_requests() == 1


@pytest.mark.parametrize(
    "days, message",
    [(-1, "cannot be in the future"), (400, "more than a year ago")],
)
def test_a_received_day_in_the_future_or_long_ago_is_refused(signed_in, customer, days, message):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    day = timezone.localdate() - timedelta(days=days)
    response = _record(client, customer, day.isoformat())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DataSubjectRequest.objects.filter(customer=customer).exists()


def test_starting_an_erasure_asks_first_and_an_unconfirmed_post_starts_nothing(signed_in, customer):
    request = _open(customer, RequestKind.ERASURE)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"/dashboard/privacy/requests/{request.pk}/"
    client.post(url + "verify/", {"method": "call_back"})
    assert 'action="' + url + 'complete/"' in client.get(url).content.decode()
    for response in (client.get(url + "complete/"), client.post(url + "complete/")):
        page = response.content.decode()
        assert response.status_code == 200
        assert "This will erase the customer" in page and "cannot be undone" in page
        assert f'href="{url}"' in page  # Cancel goes back to the request
    request.refresh_from_db()
    assert request.erasure_request_id is None and request.status == RequestStatus.OPEN
