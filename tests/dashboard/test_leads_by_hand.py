"""Sales staff add and edit a lead by hand, with the evidence of what the person agreed
to; write notes; plan the next step; see it all on the lead's timeline. Names, numbers,
notes and next steps stay encrypted; the audit log holds none of them."""

import json

import pytest
from django.core import mail
from django.db import connection

from access.roles import Role
from audit.models import AuditEvent
from leads.models import Lead, LeadConfirmation, LeadConsent, LeadNote, LeadStatus

pytestmark = pytest.mark.django_db(databases="__all__")

NEW = {
    "full_name": "Rina Wijaya",
    "company": "Toko Buku Rina",
    "email": "rina@example.id",
    "phone": "+62 812 3456 7890",
    "source": "expo-2026",
    "purposes": ["marketing_post", "marketing_phone"],
    "agreed_by": "in_person",
    "notice": "read_out",
    "next_step": "Send the price list",
    "next_step_on": "2026-12-20",
}


def _add(client, **changes):
    return client.post("/dashboard/leads/new/", {**NEW, **changes})


def test_a_sales_user_adds_a_lead_with_the_evidence_of_what_it_agreed_to(signed_in):
    client, user = signed_in(Role.MARKETING)
    response = _add(client, owner=user.pk)
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dashboard/leads/{lead.pk}/"
    assert lead.full_name == "Rina Wijaya" and lead.company == "Toko Buku Rina"
    assert lead.owner == user and lead.method == "staff" and lead.source == "expo-2026"
    assert lead.next_step == "Send the price list" and str(lead.next_step_on) == "2026-12-20"
    consents = LeadConsent.objects.filter(lead=lead)
    assert sorted(c.purpose_id for c in consents) == ["marketing_phone", "marketing_post"]
    assert {c.channel for c in consents} == {"in_person/read_out"}
    page = client.get(f"/dashboard/leads/{lead.pk}/").content.decode()
    assert "In person · Notice read out" in page and "in_person/read_out" not in page
    assert "Offers by post" in page and "marketing_post" not in page


def test_offers_by_email_wait_for_the_lead_to_confirm_through_the_mailed_link(signed_in):
    client, _user = signed_in(Role.MARKETING)
    _add(client, purposes=["marketing_email"])
    lead = Lead.objects.get()
    assert not LeadConsent.objects.filter(lead=lead).exists()
    assert LeadConfirmation.objects.filter(lead=lead, purpose_id="marketing_email").exists()
    assert mail.outbox[0].to == ["rina@example.id"]
    assert "http://127.0.0.1:8000/forms/confirm/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purposes": []}, "Tick at least one choice"),
        ({"agreed_by": ""}, "How they agreed"),
        ({"notice": "guessed"}, "How they got the notice"),
        ({"email": "", "phone": ""}, "Give an email address or a phone number."),
        ({"email": "not-an-address"}, "email"),
        ({"next_step": "", "next_step_on": "2026-12-20"}, "Say what the next step is."),
    ],
)
def test_a_lead_without_its_evidence_or_contact_is_refused_with_a_message(
    signed_in, changes, field
):
    client, _user = signed_in(Role.MARKETING)
    response = _add(client, **changes)
    assert response.status_code == 400
    assert field.lower() in response.content.decode().lower()
    assert not Lead.objects.exists()


def test_the_same_address_is_merged_into_its_lead_not_doubled(signed_in):
    client, _user = signed_in(Role.MARKETING)
    _add(client)
    _add(client, full_name="", company="", purposes=["marketing_phone"])
    assert Lead.objects.count() == 1


def test_editing_corrects_details_and_plans_the_next_step_and_owner(signed_in, make_staff):
    client, _user = signed_in(Role.MARKETING)
    colleague = make_staff(Role.MARKETING, username="sari")
    _add(client)
    lead = Lead.objects.get()
    form = client.get(f"/dashboard/leads/{lead.pk}/edit/").content.decode()
    assert "Rina Wijaya" in form and "sari" in form
    response = client.post(
        f"/dashboard/leads/{lead.pk}/edit/",
        {
            **NEW,
            "company": "Rina Books",
            "source": "phone",
            "owner": colleague.pk,
            "next_step": "Call back about the order",
            "next_step_on": "2026-12-22",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.company == "Rina Books" and lead.source == "phone" and lead.owner == colleague
    assert lead.next_step == "Call back about the order"
    bad = client.post(f"/dashboard/leads/{lead.pk}/edit/", {**NEW, "email": "nope"})
    assert bad.status_code == 400
    lead.refresh_from_db()
    assert lead.email == "rina@example.id"


def test_notes_and_actions_show_on_the_timeline_with_their_author(signed_in):
    client, user = signed_in(Role.MARKETING, username="budi")
    _add(client, owner=user.pk)
    lead = Lead.objects.get()
    assert (
        client.post(f"/dashboard/leads/{lead.pk}/notes/", {"body": "Wants 40 copies"}).status_code
        == 302
    )
    client.post(f"/dashboard/leads/{lead.pk}/status/", {"status": "qualified"})
    assert client.post(f"/dashboard/leads/{lead.pk}/notes/", {"body": "  "}).status_code == 400
    page = client.get(f"/dashboard/leads/{lead.pk}/").content.decode()
    timeline = page[page.index('id="timeline"') :]
    assert "Wants 40 copies" in timeline and "budi (Marketing)" in timeline
    assert "Status changed to Qualified" in timeline and "Lead added (Staff)" in timeline
    assert timeline.index("Status changed") < timeline.index("Wants 40 copies")
    assert "lead.viewed" not in timeline


def test_names_notes_and_next_steps_are_stored_encrypted_and_never_audited(signed_in):
    client, user = signed_in(Role.MARKETING)
    _add(client, owner=user.pk)
    lead = Lead.objects.get()
    client.post(f"/dashboard/leads/{lead.pk}/notes/", {"body": "Wants 40 copies"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, next_step FROM leads_lead")
        stored = [bytes(value) for value in cursor.fetchone()]
        cursor.execute("SELECT body FROM leads_leadnote")
        stored.append(bytes(cursor.fetchone()[0]))
    for value, secret in zip(stored, [b"Rina", b"price list", b"40 copies"], strict=True):
        assert secret not in value
    audit = json.dumps(list(AuditEvent.objects.values("metadata", "object_id")), default=str)
    for secret in ("Rina", "Toko", "price list", "40 copies", "rina@example.id", "3456"):
        assert secret not in audit


def test_conversion_takes_the_notes_and_next_step_with_the_lead_key(signed_in):
    client, user = signed_in(Role.MARKETING)
    _add(client, owner=user.pk)
    lead = Lead.objects.get()
    client.post(f"/dashboard/leads/{lead.pk}/notes/", {"body": "Wants 40 copies"})
    client.post(f"/dashboard/leads/{lead.pk}/status/", {"status": "qualified"})
    assert (
        client.post(f"/dashboard/leads/{lead.pk}/convert/", {"account_agreed": "on"}).status_code
        == 302
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.next_step is None
    assert not LeadNote.objects.exists()


def test_the_pipeline_shows_each_deal_with_its_lead_name_and_company(signed_in):
    client, _user = signed_in(Role.MARKETING)
    _add(client)
    lead = Lead.objects.get()
    client.post(
        f"/dashboard/leads/{lead.pk}/deals/",
        {"title": "Annual plan", "value": "1200", "stage": "prospecting"},
    )
    board = client.get("/dashboard/leads/pipeline/").content.decode()
    assert "Rina Wijaya" in board and "Toko Buku Rina" in board and "rina@example.id" not in board
    assert "<h1>Pipeline</h1>" in board


def test_support_agents_cannot_add_or_edit_leads(signed_in):
    client, _user = signed_in(Role.SUPPORT_AGENT)
    assert client.get("/dashboard/leads/new/").status_code == 403
    assert _add(client).status_code == 403
    assert not Lead.objects.exists()


def test_the_form_names_purposes_and_evidence_in_the_pages_language(signed_in):
    client, _user = signed_in(Role.MARKETING)
    client.cookies["django_language"] = "id"
    page = client.get("/dashboard/leads/new/").content.decode()
    assert "Penawaran melalui pos" in page and "Pemberitahuan dibacakan" in page
    for english in ("Offers by post", "Service analytics", "Notice read out", "marketing_post"):
        assert f">{english}<" not in page
