"""Issue 27 item 10: incidents on the privacy desk. A lost carrier or a breach recorded
by a privacy officer opens an incident with both notification deadlines (GDPR 72 hours,
UU 27/2022 3 x 24 hours) from when it was discovered, counts and categories (never
personal data), and a record of whom it was reported to; every write is audited; other
roles are refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from disposal import carriers, incidents
from disposal.models import CarrierKind, Incident, IncidentKind, IncidentReport
from disposal.selectors import notification_clock

pytestmark = pytest.mark.django_db(databases="__all__")
BASE = "/dashboard/privacy/incidents/"
MOMENT = "%Y-%m-%dT%H:%M"


def _moment(hours_ago: float) -> str:
    return (timezone.localtime() - timedelta(hours=hours_ago)).strftime(MOMENT)


def _breach(**overrides):
    data = {
        "summary": "A mailing list went to the wrong processor",
        "discovered_at": _moment(10),
        "categories": ["profile", "purchases"],
        "customers_affected": "120",
    }
    data.update(overrides)
    return data


def test_an_officer_records_a_breach_and_sees_both_deadlines_from_discovery(signed_in):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(BASE + "new/", _breach())
    incident = Incident.objects.get()
    assert response["Location"] == f"{BASE}{incident.pk}/"
    assert incident.kind == IncidentKind.BREACH and incident.customers_affected == 120
    discovered = incident.discovered_at
    assert timezone.now() - discovered > timedelta(hours=9, minutes=58)
    assert incident.gdpr_deadline == discovered + timedelta(hours=72)
    assert incident.uu_pdp_deadline == discovered + timedelta(hours=72)
    page = client.get(response["Location"]).content.decode()
    assert "GDPR, 72 hours" in page and "UU 27/2022, 3 x 24 hours" in page
    assert "61 hours left to tell the authority" in page
    assert "Your profile, Your purchases" in page and "120" in page
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_OPENED)
    assert event.object_id == str(incident.pk) and event.metadata["kind"] == "breach"
    listing = client.get(BASE).content.decode()
    assert incident.short_id in listing and "61 hours left" in listing


def test_a_breach_discovered_in_the_future_or_without_words_is_refused(signed_in):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    future = client.post(BASE + "new/", _breach(discovered_at=_moment(-3)))
    assert future.status_code == 400 and "in the future" in future.content.decode()
    blank = client.post(BASE + "new/", _breach(summary="  "))
    assert blank.status_code == 400
    unknown = client.post(BASE + "new/", _breach(categories=["passwords"]))
    assert unknown.status_code == 400
    assert not Incident.objects.exists()


def test_reports_are_recorded_with_when_and_to_whom_and_stop_the_clock(signed_in):
    incident = incidents.record_breach(
        summary="Laptop stolen",
        discovered_at=timezone.now() - timedelta(hours=80),
        categories=["profile"],
        customers_affected=None,
        encrypted=False,
        actor="staff:1",
    )
    assert notification_clock(incident).overdue
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = f"{BASE}{incident.pk}/report/"
    response = client.post(
        url, {"recipient": "ministry", "reported_at": _moment(1), "reference": "KOMINFO-77"}
    )
    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert (report.recipient, report.reference) == ("ministry", "KOMINFO-77")
    clock = notification_clock(Incident.objects.get())
    assert clock.authority_told_at == report.reported_at and clock.overdue  # told, late
    page = client.get(f"{BASE}{incident.pk}/").content.decode()
    assert "Authority told late" in page and "KOMINFO-77" in page
    # Customers notified need a count; a report before discovery is refused.
    assert (
        client.post(url, {"recipient": "customers", "reported_at": _moment(1)}).status_code == 400
    )
    early = client.post(url, {"recipient": "authority", "reported_at": _moment(90)})
    assert (
        early.status_code == 400 and "before the incident was discovered" in early.content.decode()
    )
    client.post(
        url, {"recipient": "customers", "reported_at": _moment(0.5), "customers_notified": "40"}
    )
    assert IncidentReport.objects.count() == 2
    actions = AuditEvent.objects.filter(action=AuditAction.INCIDENT_REPORTED)
    assert actions.count() == 2
    assert {event.metadata["recipient"] for event in actions} == {"ministry", "customers"}


def test_the_assessment_counts_customers_and_the_incident_closes(signed_in):
    carrier = carriers.register_carrier(
        kind=CarrierKind.DATABASE_DISK,
        label="Disk 9",
        holds=["profile"],
        encrypted=True,
        actor="staff:1",
    )
    incident = carriers.report_lost(carrier=carrier, actor="staff:1")
    assert incident.kind == IncidentKind.LOST_CARRIER
    assert incident.discovered_at == incident.carrier.lost_at
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    client.post(
        f"{BASE}{incident.pk}/assess/", {"customers_affected": "3", "categories": ["profile"]}
    )
    incident.refresh_from_db()
    assert incident.customers_affected == 3
    assert AuditEvent.objects.filter(action=AuditAction.INCIDENT_ASSESSED).count() == 1
    client.post(f"{BASE}{incident.pk}/", {"decision": "none-needed"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    page = client.get(f"{BASE}{incident.pk}/").content.decode()
    assert "Closed without telling the authority" in page
    late = client.post(f"{BASE}{incident.pk}/assess/", {"customers_affected": "4"})
    assert late.status_code == 400
    incident.refresh_from_db()
    assert incident.customers_affected == 3


def test_the_printable_record_holds_the_deadlines_and_reports_in_bahasa_indonesia(signed_in):
    incident = incidents.record_breach(
        summary="Email sent to the wrong list",
        discovered_at=timezone.now() - timedelta(hours=2),
        categories=["profile"],
        customers_affected=7,
        encrypted=False,
        actor="staff:1",
    )
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(f"{BASE}{incident.pk}/print/").content.decode()
    assert "Record of incident" in page and "Email sent to the wrong list" in page
    assert "<form" not in page.split("<main", 1)[1]
    indonesian = client.get(f"{BASE}{incident.pk}/print/", HTTP_ACCEPT_LANGUAGE="id")
    text = indonesian.content.decode()
    assert "Catatan insiden" in text and "3 x 24 jam" in text


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING])
def test_other_roles_cannot_see_or_record_incidents(signed_in, role):
    client, _user = signed_in(role)
    assert client.get(BASE).status_code == 403
    assert client.post(BASE + "new/", _breach()).status_code == 403
    assert not Incident.objects.exists()
