"""The data-carrier pages of the privacy desk: register, sanitize (verified by a second
person signed in as themselves),
certificate, lost → incident, copies past expiry with "confirm destroyed", the register
in the Art. 30 records; other roles are refused."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from access.roles import Role
from dashboard.confirm import CONFIRM_FIELD
from disposal import carriers
from disposal.models import CarrierKind, CarrierStatus, DataCarrier, Incident

pytestmark = pytest.mark.django_db(databases="__all__")
CONFIRM = {CONFIRM_FIELD: "yes"}  # what the confirmation page posts

BASE = "/dashboard/privacy/carriers/"


def _disk(**kwargs):
    return carriers.register_carrier(
        kind=kwargs.pop("kind", CarrierKind.DATABASE_DISK),
        label=kwargs.pop("label", "Disk SN-1"),
        holds=kwargs.pop("holds", ["profile"]),
        encrypted=kwargs.pop("encrypted", True),
        actor="staff:1",
        **kwargs,
    )


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING])
def test_other_roles_are_refused_every_carrier_page(signed_in, role):
    carrier = _disk()
    incident = carriers.report_lost(carrier=_disk(label="Lost one"), actor="staff:1")
    client, _user = signed_in(role)
    for url in (
        BASE,
        BASE + "new/",
        BASE + "overdue/",
        f"{BASE}{carrier.pk}/",
        f"{BASE}{carrier.pk}/certificate/",
        f"/dashboard/privacy/incidents/{incident.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    for action in ("retire", "lost", "destroyed", "sanitize", "verify"):
        assert client.post(f"{BASE}{carrier.pk}/{action}/").status_code == 403
    assert DataCarrier.objects.get(pk=carrier.pk).status == CarrierStatus.IN_SERVICE


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(BASE)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_an_officer_registers_a_carrier_and_the_form_warns_against_personal_data(signed_in):
    client, user = signed_in(Role.PRIVACY_OFFICER)
    form = client.get(BASE + "new/").content.decode()
    assert "must not" in form or "Never personal data" in form
    response = client.post(
        BASE + "new/",
        {
            "kind": "workstation",
            "label": "Laptop LT-22",
            "location": "Office 3",
            "custodian": str(user.pk),
            "holds": ["profile", "key_store"],
            "encrypted": "yes",
            "encryption": "FileVault",
        },
    )
    carrier = DataCarrier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{carrier.pk}/"
    assert carrier.custodian == user and carrier.holds == ["key_store", "profile"]
    page = client.get(f"{BASE}{carrier.pk}/").content.decode()
    assert "Laptop LT-22" in page and "FileVault" in page


def test_bad_input_comes_back_as_form_errors(signed_in):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(
        BASE + "new/", {"kind": "workstation", "label": "ada@example.com", "encrypted": "no"}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not DataCarrier.objects.exists()


def _as(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_form_can_no_longer_name_a_verifier_on_someone_elses_behalf(signed_in, make_staff):
    carrier = _disk()
    client, officer = signed_in(Role.PRIVACY_OFFICER)
    other = make_staff(Role.ADMINISTRATOR, username="verifier-vic")
    response = client.post(
        f"{BASE}{carrier.pk}/sanitize/",
        {"method": "purge", "tool": "nvme format", "verified_by": str(other.pk)},
    )
    assert response.status_code == 302
    record = DataCarrier.objects.get().sanitization
    assert record.performed_by == officer and record.verified_by is None
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.AWAITING_VERIFICATION
    page = client.get(f"{BASE}{carrier.pk}/").content.decode()
    assert "Awaiting verification" in page
    assert "another staff member must sign in and verify it" in page


def test_the_recorder_cannot_verify_their_own_sanitization(signed_in):
    carrier = _disk()
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    client.post(f"{BASE}{carrier.pk}/sanitize/", {"method": "purge", "tool": "nvme format"})

    refused = client.post(f"{BASE}{carrier.pk}/verify/")
    assert refused.status_code == 400
    assert "another staff member must sign in and verify it" in refused.content.decode()
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.AWAITING_VERIFICATION
    assert DataCarrier.objects.get().sanitization.verified_by is None


def test_a_second_person_signed_in_verifies_and_the_certificate_names_both(client, make_staff):
    carrier = _disk()
    recorder = make_staff(Role.PRIVACY_OFFICER, username="recorder-rita")
    verifier = make_staff(Role.ADMINISTRATOR, username="verifier-vic")
    recorded = _as(client, recorder).post(
        f"{BASE}{carrier.pk}/sanitize/", {"method": "purge", "tool": "nvme format --ses=1"}
    )
    assert recorded.status_code == 302 and recorded["Location"] == f"{BASE}{carrier.pk}/"
    unverified = client.get(f"{BASE}{carrier.pk}/certificate/").content.decode()
    assert "not a certificate until a second staff member" in unverified
    client.post("/dashboard/sign-out/")

    page = _as(client, verifier).get(f"{BASE}{carrier.pk}/").content.decode()
    assert "verify the sanitization" in page
    done = client.post(f"{BASE}{carrier.pk}/verify/")
    assert done.status_code == 302 and done["Location"].endswith("/certificate/")
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.SANITIZED
    record = carrier.sanitization
    assert (record.performed_by, record.verified_by) == (recorder, verifier)
    certificate = client.get(done["Location"]).content.decode()
    assert str(record.pk) in certificate and "nvme format --ses=1" in certificate
    assert "recorder-rita" in certificate and "verifier-vic" in certificate
    assert "not a certificate until" not in certificate


def test_reporting_lost_opens_an_incident_page_and_the_desk_says_so(signed_in):
    carrier = _disk(holds=["profile", "purchases"], encrypted=False)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(f"{BASE}{carrier.pk}/lost/", CONFIRM)
    incident = Incident.objects.get()
    assert response["Location"] == f"/dashboard/privacy/incidents/{incident.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Your profile, Your purchases" in page and "Art. 33" in page
    assert "open incident" in client.get("/dashboard/privacy/").content.decode()

    closed = client.post(response["Location"], {"decision": "none-needed"})
    assert closed.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed"


def test_copies_past_expiry_are_listed_and_confirmed_destroyed(signed_in):
    copy = carriers.register_copy(
        kind=CarrierKind.EXPORTED_FILE, source="dashboard", holds=["profile"], actor="staff:1"
    )
    DataCarrier.objects.filter(pk=copy.pk).update(expires_at=timezone.now() - timedelta(days=2))
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert "past expiry" in client.get("/dashboard/privacy/").content.decode()
    listing = client.get(BASE + "overdue/").content.decode()
    assert copy.short_id in listing
    response = client.post(f"{BASE}{copy.pk}/destroyed/", {"next": "overdue"})
    assert response["Location"] == BASE + "overdue/"
    assert copy.short_id not in client.get(BASE + "overdue/").content.decode()
    assert DataCarrier.objects.get().destroyed_confirmed_at is not None


def test_the_register_is_in_the_records_of_processing(signed_in):
    carrier = _disk(label="Backup tape 3", kind=CarrierKind.BACKUP_MEDIUM)
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert "Backup tape 3" in client.get("/dashboard/privacy/records/").content.decode()
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboard/privacy/records.csv").content.decode()))
    )
    carrier_rows = [row for row in rows if row[0] == "Where copies are kept (data carriers)"]
    assert [row[3] for row in carrier_rows if row[2] == "Kind"] == [str(carrier.get_kind_display())]
    assert carrier_rows[0][1] == "Backup tape 3"


def test_pages_are_translated_to_bahasa_indonesia(signed_in):
    _disk()
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(BASE, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Media pembawa data" in page


def test_service_refusals_reach_the_page_in_bahasa_indonesia(signed_in):
    carrier = _disk()
    client, _officer = signed_in(Role.PRIVACY_OFFICER)
    client.post(f"{BASE}{carrier.pk}/sanitize/", {"method": "destroy", "tool": "shredder"})
    response = client.post(f"{BASE}{carrier.pk}/verify/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert "anggota staf lain harus masuk dan memverifikasinya" in response.content.decode()


def test_the_dashboard_export_download_registers_an_exported_file(signed_in, customer):
    from privacy.models import RequestChannel, RequestKind
    from privacy.services import complete_access, open_request, verify_requester

    request = open_request(
        customer=customer, kind=RequestKind.ACCESS, channel=RequestChannel.EMAIL, actor="x"
    )
    verify_requester(request=request, method="id_document", actor="x")
    complete_access(request=request, actor="x")
    assert not DataCarrier.objects.exists()  # completing the request hands out no file
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    client.post(f"/dashboard/privacy/requests/{request.pk}/export/")
    carrier = DataCarrier.objects.get()
    assert (carrier.kind, carrier.source) == (CarrierKind.EXPORTED_FILE, "dashboard")


def test_exported_files_are_counted_not_listed_in_the_records_of_processing(signed_in):
    for _ in range(3):
        carriers.register_copy(
            kind=CarrierKind.EXPORTED_FILE, source="portal", holds=["profile"], actor="customer"
        )
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    download = client.get("/dashboard/privacy/records.csv").content.decode()
    section = "Where copies are kept (data carriers)"
    rows = [row for row in csv.reader(io.StringIO(download)) if row[0] == section]
    exported = str(CarrierKind.EXPORTED_FILE.label)
    assert {(row[1], row[2], row[3]) for row in rows} >= {
        (exported, "In service", "3"),
        (exported, "Past expiry", "0"),
    }
    assert [row[1] for row in rows] == [exported] * 4


def test_the_register_pages_through_many_carriers(signed_in):
    for number in range(101):
        _disk(label=f"Disk {number:03}")
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    first = client.get(BASE + "?kind=database-disk").content.decode()
    assert "Disk 000" in first and "Disk 100" not in first and "Page 1 of 2" in first
    second = client.get(BASE + "?kind=database-disk&page=2").content.decode()
    assert "Disk 100" in second and "Disk 000" not in second


def test_reporting_lost_asks_first_and_an_unconfirmed_post_changes_nothing(signed_in):
    carrier = _disk()
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"{BASE}{carrier.pk}/lost/"
    for response in (client.get(url), client.post(url)):
        page = response.content.decode()
        assert response.status_code == 200
        assert "possible-breach incident" in page and 'name="confirm"' in page
    carrier.refresh_from_db()
    assert carrier.status != "lost"
    assert not Incident.objects.exists()
