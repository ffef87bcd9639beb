"""Metrics charts (SVG without script or external assets, numbers as CSV, no personal
data) and the staff commands: create_staff and the demo staff of `make run`."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from access.roles import Role, roles_of
from customers import demo
from disposal.models import DataCarrier
from privacy.models import DataSubjectRequest
from service.models import Ticket
from service.selectors import overdue_count

pytestmark = pytest.mark.django_db(databases="__all__")
CHARTS = ("customers", "consent", "requests", "erasures", "tickets")


@pytest.mark.parametrize("slug", CHARTS)
def test_each_chart_is_a_plain_svg_with_its_numbers_as_csv(signed_in, make_customer, slug):
    make_customer(email="grace.hopper@example.com")
    client, _user = signed_in(Role.MARKETING)
    svg = client.get(f"/dashboard/metrics/{slug}.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    body = svg.content.decode()
    assert body.lstrip().startswith("<?xml") and "<svg" in body
    assert "<script" not in body and "kozea.github.io" not in body
    table = list(
        csv.reader(io.StringIO(client.get(f"/dashboard/metrics/{slug}.csv").content.decode()))
    )
    assert len(table) > 1 and all(len(row) == len(table[0]) for row in table)
    assert "grace" not in svg.content.decode() + str(table)


def test_the_consent_chart_counts_each_purpose(signed_in, make_customer):
    make_customer(consents={"account": True, "marketing_email": True})
    make_customer(consents={"account": True, "marketing_email": False})
    client, _user = signed_in(Role.MARKETING)
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboard/metrics/consent.csv").content.decode()))
    )
    by_purpose = {row[0]: row for row in rows[1:]}
    assert by_purpose["marketing_email"][1:] == ["1", "2", "50.0"]


def test_the_tickets_chart_counts_opened_resolved_and_complaints_this_week(
    signed_in, make_customer
):
    from service import services

    customer = make_customer()
    for complaint in (True, False):
        ticket = services.open_ticket(
            customer=customer, channel="phone", subject="x", actor="system", complaint=complaint
        )
    services.change_status(ticket=ticket, status="resolved", actor="system")
    client, _user = signed_in(Role.SUPPORT_AGENT)
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboard/metrics/tickets.csv").content.decode()))
    )
    assert rows[0] == ["week_starting", "opened", "resolved", "complaints"]
    assert rows[-1][1:] == ["2", "1", "1"] and len(rows) == 13


def test_the_metrics_page_shows_every_chart_with_its_csv(signed_in):
    client, _user = signed_in(Role.SUPPORT_AGENT)
    page = client.get("/dashboard/metrics/").content.decode()
    for slug in CHARTS:
        assert f"/dashboard/metrics/{slug}.svg" in page and f"/dashboard/metrics/{slug}.csv" in page


def test_create_staff_reads_the_password_from_an_environment_variable(monkeypatch):
    monkeypatch.setenv("NEW_STAFF_PASSWORD", "a-long-and-unusual-password-9")
    call_command(
        "create_staff", "pat", "--role", "privacy_officer", "--password-env", "NEW_STAFF_PASSWORD"
    )
    pat = get_user_model().objects.get(username="pat")
    assert roles_of(pat) == {Role.PRIVACY_OFFICER}
    assert pat.check_password("a-long-and-unusual-password-9") and not pat.is_staff

    call_command(
        "create_staff", "pat", "--role", "administrator", "--password-env", "NEW_STAFF_PASSWORD"
    )
    pat = get_user_model().objects.get(username="pat")
    assert roles_of(pat) == {Role.ADMINISTRATOR} and pat.is_superuser


def test_create_staff_refuses_a_weak_password_or_a_missing_variable(monkeypatch):
    monkeypatch.setenv("WEAK", "password")
    with pytest.raises(CommandError):
        call_command("create_staff", "pat", "--role", "marketing", "--password-env", "WEAK")
    with pytest.raises(CommandError, match="not set"):
        call_command("create_staff", "pat", "--role", "marketing", "--password-env", "UNSET_VAR_X")
    assert not get_user_model().objects.filter(username="pat").exists()


def test_demo_staff_are_made_once_per_role_with_work_to_do(monkeypatch, capsys):
    monkeypatch.setenv("DEV_STAFF_PASSWORD", "demo-staff-password-4711")
    demo.seed(customers=5)
    call_command("seed_demo_staff")
    call_command("seed_demo_staff")
    users = get_user_model().objects.filter(
        username__in=["agent", "marketer", "privacy", "administrator"]
    )
    assert {role for user in users for role in roles_of(user)} == set(Role)
    assert DataSubjectRequest.objects.count() == 4
    assert DataSubjectRequest.objects.filter(assignee__username="agent").exists()
    agent = users.get(username="agent")
    assert Ticket.objects.count() == 2  # of the demo tickets' customers, only 1 and 5 exist
    assert overdue_count(user=agent) == 2
    assert "sign in as 'agent'" in capsys.readouterr().out
    # The carrier register has demo carriers once, one of them with its certificate.
    assert DataCarrier.objects.count() == 4
    laptop = DataCarrier.objects.get(kind="workstation")
    assert laptop.status == "sanitized"
    assert laptop.sanitization.verified_by.username == "privacy"


def test_an_older_env_without_a_staff_password_falls_back_to_the_admin_one(monkeypatch):
    monkeypatch.delenv("DEV_STAFF_PASSWORD", raising=False)
    monkeypatch.setenv("DEV_ADMIN_PASSWORD", "older-admin-password-1234")
    call_command("seed_demo_staff")
    assert (
        get_user_model().objects.get(username="agent").check_password("older-admin-password-1234")
    )


def test_dashboard_templates_hold_no_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "dashboard" / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert "<script" not in text and "style=" not in text, template.name


def test_the_consent_and_request_charts_name_their_bars_in_words(signed_in, make_customer):
    make_customer(consents={"account": True, "marketing_email": True})
    client, _user = signed_in(Role.MARKETING)
    consent = client.get("/dashboard/metrics/consent.svg").content.decode()
    assert "Offers by email" in consent and "Personal suggestions" in consent
    assert ">marketing_email<" not in consent
    requests = client.get("/dashboard/metrics/requests.svg").content.decode()
    assert "Restriction of processing" in requests and ">restriction<" not in requests
