import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from access.roles import Role
from audit.models import AuditEvent
from consent.models import ConsentEvent
from customers.models import Customer
from dashboard.confirm import CONFIRM_FIELD
from disposal.models import ErasureRequest
from leads import services
from leads.models import CaptureMethod, Deal, DealStage, Lead, LeadForm, LeadStatus

pytestmark = pytest.mark.django_db(databases="__all__")
CONFIRM = {CONFIRM_FIELD: "yes"}  # what the confirmation page posts


@pytest.fixture
def lead():
    return services.capture_lead(
        contact={"email": "dash@example.org", "full_name": "Dana Dash", "company": "Acme"},
        purposes=["marketing_post"],
        source="expo",
        method=CaptureMethod.IMPORT,
        channel="expo",
        actor="staff:1",
    ).lead


def test_support_agents_cannot_open_leads(signed_in, lead):
    client, _user = signed_in(Role.SUPPORT_AGENT)
    assert client.get("/dashboard/leads/").status_code == 403
    assert client.get(f"/dashboard/leads/{lead.pk}/").status_code == 403


def test_the_list_shows_name_and_company_but_no_email_or_phone(signed_in, lead):
    client, _user = signed_in(Role.MARKETING)
    body = client.get("/dashboard/leads/").content.decode()
    assert "Dana Dash" in body and "Acme" in body and str(lead.pk) in body
    assert "dash@example.org" not in body


def test_the_list_is_paginated_keeping_its_filter(signed_in, settings):
    from dashboard.views import leads as views

    for number in range(views.PAGE_SIZE + 3):
        services.capture_lead(
            contact={"email": f"page{number}@example.org"},
            purposes=["marketing_post"],
            source="expo",
            method=CaptureMethod.IMPORT,
            channel="expo",
            actor="staff:1",
        )
    client, _user = signed_in(Role.MARKETING)
    first = client.get("/dashboard/leads/", {"source": "expo"}).content.decode()
    assert first.count('href="/dashboard/leads/') - first.count("leads/new") >= views.PAGE_SIZE
    assert "Page 1 of 2" in first and "source=expo&amp;page=2" in first
    second = client.get("/dashboard/leads/", {"source": "expo", "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert client.get("/dashboard/leads/", {"page": "999"}).status_code == 200


def test_a_lead_page_shows_each_score_rule_and_logs_the_view(signed_in, lead):
    client, user = signed_in(Role.MARKETING)
    body = client.get(f"/dashboard/leads/{lead.pk}/").content.decode()
    assert "dash@example.org" in body
    assert "Gave a company" in body and f"Score: {lead.score}" in body
    assert AuditEvent.objects.filter(
        action="lead.viewed", subject_id=lead.pk, actor=f"staff:{user.pk}"
    ).exists()


def test_qualify_open_a_deal_move_it_and_convert(signed_in, lead):
    client, _user = signed_in(Role.MARKETING)
    url = f"/dashboard/leads/{lead.pk}/"
    assert client.post(url + "status/", {"status": "qualified"}).status_code == 302
    response = client.post(
        url + "deals/", {"title": "Annual plan", "value": "1200", "stage": "proposal"}
    )
    assert response.status_code == 302
    deal = Deal.objects.get()
    board = client.get("/dashboard/leads/pipeline/").content.decode()
    assert "Annual plan" in board
    client.post(f"/dashboard/leads/deals/{deal.pk}/move/", {"stage": "negotiation"})
    assert Deal.objects.get().stage == DealStage.NEGOTIATION
    refused = client.post(url + "convert/", {"account_agreed": ""})
    assert refused.status_code == 400
    assert client.post(url + "convert/", {"account_agreed": "on"}).status_code == 302
    customer = Customer.objects.get()
    assert Lead.objects.get().status == LeadStatus.CONVERTED
    assert ConsentEvent.objects.filter(customer=customer, purpose_id="marketing_post").exists()
    assert Deal.objects.get().customer_id == customer.pk


def test_the_import_page_reports_each_row(signed_in):
    client, _user = signed_in(Role.MARKETING)
    upload = SimpleUploadedFile(
        "list.csv",
        b"email,full_name,consents,consent_at\n"
        b"imp@example.org,Imp,marketing_post,2026-01-01\n"
        b"nope@example.org,No,,2026-01-01\n",
        content_type="text/csv",
    )
    response = client.post(
        "/dashboard/leads/import/",
        {"file": upload, "source": "fair", "lawful_basis": "consent", "dry_run": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Import report" in body and "refused" in body
    assert "imp@example.org" not in body
    assert Lead.objects.count() == 1


def test_the_source_report_and_its_chart(signed_in, lead):
    converted = services.capture_lead(
        contact={"email": "conv@example.org"},
        purposes=["analytics"],
        source="expo",
        method=CaptureMethod.IMPORT,
        channel="expo",
        actor="staff:1",
    ).lead
    services.set_lead_status(lead=converted, status="qualified", actor="staff:1")
    services.convert_lead(lead=converted, actor="staff:1", account_agreed=True)
    client, _user = signed_in(Role.MARKETING)
    body = client.get("/dashboard/leads/sources/").content.decode()
    assert "<td>expo</td>" in body and "50.0" in body
    svg = client.get("/dashboard/metrics/lead-sources.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<script" not in svg.content
    csv = client.get("/dashboard/metrics/lead-sources.csv").content.decode()
    assert csv.splitlines()[1].startswith("expo,2,1,")


def test_a_marketer_creates_a_capture_form_with_its_embed_snippet(signed_in):
    client, _user = signed_in(Role.MARKETING)
    response = client.post(
        "/dashboard/leads/forms/",
        {
            "slug": "webinar",
            "name": "Webinar",
            "source": "webinar",
            "purposes": ["marketing_email"],
        },
    )
    assert response.status_code == 302
    assert LeadForm.objects.get().purposes == ["marketing_email"]
    body = client.get("/dashboard/leads/forms/").content.decode()
    assert "/forms/webinar/" in body and "&lt;iframe" in body


def test_a_privacy_officer_exports_and_erases_a_lead(
    signed_in, lead, django_capture_on_commit_callbacks
):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    export = client.get(f"/dashboard/leads/{lead.pk}/export/")
    assert export.json()["lead_id"] == str(lead.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/dashboard/leads/{lead.pk}/erase/", CONFIRM).status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_deal_value_must_be_a_positive_amount(signed_in, lead):
    client, _user = signed_in(Role.MARKETING)
    response = client.post(
        f"/dashboard/leads/{lead.pk}/deals/", {"title": "X", "value": "-5", "stage": "won"}
    )
    assert response.status_code == 400
    assert Deal.objects.count() == 0


def test_an_import_field_over_the_csv_limit_is_a_form_error_not_a_500(signed_in):
    client, _user = signed_in(Role.MARKETING)
    long_name = b"x" * 200_000  # over the csv module's field limit (131072)
    upload = SimpleUploadedFile(
        "list.csv",
        b"email,full_name,consents,consent_at\nlong@example.org,"
        + long_name
        + b",analytics,2026-01-01\n",
        content_type="text/csv",
    )
    response = client.post(
        "/dashboard/leads/import/",
        {"file": upload, "source": "fair", "lawful_basis": "consent", "dry_run": ""},
    )
    assert response.status_code == 400
    assert "Line 2 cannot be read" in response.content.decode()
    assert Lead.objects.count() == 0


def test_erasing_a_lead_asks_first_and_an_unconfirmed_post_erases_nothing(signed_in, lead):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"/dashboard/leads/{lead.pk}/erase/"
    for response in (client.get(url), client.post(url)):
        page = response.content.decode()
        assert response.status_code == 200
        assert "This will erase the lead" in page and 'name="confirm"' in page
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert not ErasureRequest.objects.exists()
