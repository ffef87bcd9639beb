"""Issue 27 items 9 and 11: the records of processing carry the controller, its
representative and DPO (settings), transfers outside the country with their safeguard
(processors), retention in plain units and the security measures, the same on the page,
the printable view and the CSV, with no codes; the erasure certificate prints in plain
words; the staff-side access export offers the portal's readable summary."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from access.roles import Role
from dashboard.confirm import CONFIRM_FIELD
from disposal import processors
from disposal.models import CarrierKind, DataCarrier, Processor, RetentionPolicy
from disposal.services import run_erasure
from privacy.models import RequestChannel, RequestKind, RequestStatus
from privacy.services import complete_access, open_request, verify_requester

pytestmark = pytest.mark.django_db(databases="__all__")
RECORDS = "/dashboard/privacy/records/"


@pytest.fixture
def abroad():
    return processors.save_processor(
        processor=Processor(
            name="Cloud Mail Pte",
            agreement_reference="DPA-SG-1",
            agreement_signed_on=date(2026, 1, 5),
            categories=["profile"],
            country="SG",
            transfer_safeguard="Standard contractual clauses (ASEAN MCC)",
            webhook_url="https://mail.example/hooks",
        ),
        webhook_secret="whsec-test-0123456789",
    )


def test_the_records_name_the_controller_dpo_transfers_retention_and_measures(
    signed_in, settings, abroad
):
    settings.PRIVACY_CONTROLLER = "Toko Contoh PT, Jl. Sudirman 1, Jakarta"
    settings.PRIVACY_DPO = "Dewi Lestari, dpo@toko.example"
    settings.PRIVACY_SECURITY_MEASURES = ["Yearly penetration test"]
    RetentionPolicy.objects.update_or_create(
        category="interactions", defaults={"keep_days": 730, "reason": "Service quality"}
    )
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(RECORDS).content.decode()
    for expected in (
        "Toko Contoh PT, Jl. Sudirman 1, Jakarta",
        "Dewi Lestari, dpo@toko.example",
        "None appointed",  # no representative set
        "Transfers outside the country",
        "Singapore",
        "Standard contractual clauses (ASEAN MCC)",
        "2 years",
        "Offers by email",
        "Performance of a contract (Art. 6(1)(b))",
        "Yearly penetration test",
        "encrypted in the database with a key per customer",
    ):
        assert expected in page, expected
    for code in ("marketing_email", "customers.customer", "legal_obligation", "backup-medium"):
        assert code not in page, code

    printable = client.get(RECORDS + "print/").content.decode()
    assert "Singapore" in printable and "Dewi Lestari" in printable
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/privacy/records.csv").text)))
    assert ["Transfers outside the country", "Cloud Mail Pte", "To", "Singapore"] in rows
    assert [
        "Controller and contacts",
        "Data protection officer",
        "Name and contact",
        "Dewi Lestari, dpo@toko.example",
    ] in rows
    assert [
        "How long data is kept",
        "Contacts with the service team older than the period",
        "Kept for",
        "2 years",
    ] in rows


def test_unset_controller_details_say_so_and_the_page_reads_in_bahasa_indonesia(signed_in):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(RECORDS).content.decode()
    assert "Not set: an administrator sets it in the configuration." in page
    assert "No data is transferred outside Indonesia." in page
    indonesian = client.get(RECORDS, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Langkah keamanan" in indonesian and "Penawaran melalui email" in indonesian


def _erased(client, customer):
    request = open_request(
        customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.POST, actor="x"
    )
    verify_requester(request=request, method="call_back", actor="x")
    client.post(f"/dashboard/privacy/requests/{request.pk}/complete/", {CONFIRM_FIELD: "yes"})
    request.refresh_from_db()
    run_erasure(request_id=request.erasure_request_id)
    return request.erasure_request


def test_the_erasure_certificate_prints_in_the_portals_words(signed_in, customer):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    erasure = _erased(client, customer)
    progress = client.get(f"/dashboard/privacy/erasures/{erasure.pk}/").content.decode()
    assert f"/dashboard/privacy/erasures/{erasure.pk}/certificate/" in progress
    page = client.get(f"/dashboard/privacy/erasures/{erasure.pk}/certificate/").content.decode()
    assert "Erasure certificate" in page and str(erasure.certificate_id) in page
    assert "Your profile" in page and "Your purchases" in page
    assert "Deleted" in page and "Unlinked from the person and kept" in page
    assert "Invoice lines are kept for tax law" in page
    for code in ("pseudonymized", "crypto-shredded", "data_subject_requests"):
        assert code not in page, code
    indonesian = client.get(
        f"/dashboard/privacy/erasures/{erasure.pk}/certificate/", HTTP_ACCEPT_LANGUAGE="id"
    ).content.decode()
    assert "Sertifikat penghapusan" in indonesian


def test_a_missing_certificate_is_not_found(signed_in, customer):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert client.get(f"/dashboard/privacy/erasures/{customer.pk}/certificate/").status_code == 404


def test_the_access_summary_is_the_portals_summary_audited_and_registered(signed_in, customer):
    request = open_request(
        customer=customer, kind=RequestKind.ACCESS, channel=RequestChannel.POST, actor="x"
    )
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"/dashboard/privacy/requests/{request.pk}/summary/"
    assert client.post(url).status_code == 302  # not completed yet: nothing made
    assert not DataCarrier.objects.exists()
    verify_requester(request=request, method="id_document", actor="x")
    complete_access(request=request, actor="x")
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert (
        "Open the readable summary to print"
        in client.get(f"/dashboard/privacy/requests/{request.pk}/").content.decode()
    )
    assert client.get(url).status_code == 302  # a GET makes nothing
    response = client.post(url)
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Your data: summary" in page and "Your profile" in page
    assert customer.email in page
    carrier = DataCarrier.objects.get()
    assert (carrier.kind, carrier.source) == (CarrierKind.EXPORTED_FILE, "dashboard")
    assert carrier.expires_at > timezone.now() + timedelta(days=1)


def test_only_staff_who_may_export_get_the_summary(signed_in, customer):
    request = open_request(
        customer=customer, kind=RequestKind.ACCESS, channel=RequestChannel.POST, actor="x"
    )
    client, _user = signed_in(Role.SUPPORT_AGENT)
    assert client.post(f"/dashboard/privacy/requests/{request.pk}/summary/").status_code == 403
