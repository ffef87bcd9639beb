"""Issue 16, item 3, on the dashboard: every page and action, asked for by every role that
lacks the action (access.policy), is refused with 403 and changes nothing; signed-out
visitors are sent to sign in. Customer data typed by anyone is shown escaped."""

import uuid

import pytest
from django.urls import URLPattern, get_resolver, reverse

from access.policy import ACTIONS, Action
from access.roles import Role
from audit.models import AuditEvent
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind
from privacy.services import open_request
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(databases="__all__")

ANY_STAFF = "any staff"
OPEN = "open"  # sign-in, sign-out and the second-factor steps
# Every dashboard URL name -> the action it needs.
NEEDS = {
    "home": ANY_STAFF,
    "login": OPEN,
    "logout": OPEN,
    "two_factor_enrol": OPEN,
    "two_factor_verify": OPEN,
    "customers": Action.VIEW_CUSTOMERS,
    "search": Action.VIEW_PROFILE,
    "search_results": Action.VIEW_PROFILE,
    "customer": Action.VIEW_PROFILE,
    "reveal": Action.VIEW_PROFILE,
    "record_choice": Action.VIEW_PROFILE,
    "log_interaction": Action.VIEW_PROFILE,
    "open_request": Action.PRIVACY_DESK,
    "lift_restriction": Action.PRIVACY_DESK,
    "queue": Action.PRIVACY_DESK,
    "request": Action.PRIVACY_DESK,
    "assign": Action.PRIVACY_DESK,
    "verify": Action.PRIVACY_DESK,
    "extend": Action.PRIVACY_DESK,
    "reject": Action.PRIVACY_DESK,
    "rectify": Action.PRIVACY_DESK,
    "complete": Action.PRIVACY_DESK,
    "export": Action.EXPORT,
    "erasure": Action.PRIVACY_DESK,
    "processors": Action.PRIVACY_DESK,
    "records": Action.PRIVACY_DESK,
    "records_csv": Action.PRIVACY_DESK,
    "access_review": Action.PRIVACY_DESK,
    "access_review_csv": Action.PRIVACY_DESK,
    "access_reviewed": Action.PRIVACY_DESK,
    "metrics": Action.METRICS,
    "chart_svg": Action.METRICS,
    "chart_csv": Action.METRICS,
    # Data carriers and incidents (the privacy desk).
    "carriers": Action.PRIVACY_DESK,
    "carrier_add": Action.PRIVACY_DESK,
    "overdue_copies": Action.PRIVACY_DESK,
    "carrier": Action.PRIVACY_DESK,
    "sanitize": Action.PRIVACY_DESK,
    "verify_sanitization": Action.PRIVACY_DESK,
    "carrier_retire": Action.PRIVACY_DESK,
    "carrier_lost": Action.PRIVACY_DESK,
    "carrier_destroyed": Action.PRIVACY_DESK,
    "carrier_certificate": Action.PRIVACY_DESK,
    "incident": Action.PRIVACY_DESK,
    "incidents": Action.PRIVACY_DESK,
    "record_breach": Action.PRIVACY_DESK,
    "incident_assess": Action.PRIVACY_DESK,
    "incident_report": Action.PRIVACY_DESK,
    "incident_print": Action.PRIVACY_DESK,
    "records_print": Action.PRIVACY_DESK,
    "erasure_certificate": Action.PRIVACY_DESK,
    "access_summary": Action.EXPORT,
    # Campaigns and call lists.
    "campaigns": Action.CAMPAIGN,
    "new_campaign": Action.CAMPAIGN,
    "new_segment": Action.CAMPAIGN,
    "segment": Action.CAMPAIGN,
    "campaign": Action.CAMPAIGN,
    "send_campaign": Action.CAMPAIGN,
    "edit_campaign": Action.CAMPAIGN,
    "delete_campaign": Action.CAMPAIGN,
    "preview_campaign": Action.CAMPAIGN,
    "test_send_campaign": Action.CAMPAIGN,
    "schedule_campaign": Action.CAMPAIGN,
    "unschedule_campaign": Action.CAMPAIGN,
    "calls": Action.CALL_LIST,
    "claim_call": Action.CALL_LIST,
    "record_call": Action.CALL_LIST,
    # Leads and the deal pipeline.
    "leads": Action.LEADS,
    "board": Action.LEADS,
    "move_deal": Action.LEADS,
    "import_leads": Action.LEADS,
    "lead_sources": Action.LEADS,
    "lead_forms": Action.LEADS,
    "lead": Action.LEADS,
    "lead_new": Action.LEADS,
    "lead_edit": Action.LEADS,
    "lead_note": Action.LEADS,
    "lead_status": Action.LEADS,
    "lead_contacted": Action.LEADS,
    "lead_deal": Action.LEADS,
    "lead_convert": Action.LEADS,
    "lead_export": Action.EXPORT,
    "lead_erase": Action.ERASE,
    # The service desk.
    "desk": Action.TICKETS,
    "desk_matches": Action.TICKETS,
    "tickets": Action.TICKETS,
    "desk_customer": Action.TICKETS,
    "new_ticket": Action.TICKETS,
    "ticket": Action.TICKETS,
    "ticket_reveal": Action.TICKETS,
    "ticket_note": Action.TICKETS,
    "ticket_update": Action.TICKETS,
    "ticket_take": Action.TICKETS,
}


def dashboard_patterns() -> dict[str, URLPattern]:
    namespace = get_resolver().namespace_dict["dashboard"][1]
    return {p.name: p for p in namespace.url_patterns if isinstance(p, URLPattern)}


def test_the_matrix_names_every_dashboard_url():
    """A new page fails here until the matrix says which action it needs."""
    assert set(dashboard_patterns()) - set(NEEDS) == set()


@pytest.fixture
def objects():
    customer = CustomerFactory(full_name="Someone Else")
    dsr = open_request(
        customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.EMAIL, actor="system"
    )
    return {
        "customer_id": customer.pk,
        "request_id": dsr.pk,
        "erasure_id": uuid.uuid4(),
        "carrier_id": uuid.uuid4(),
        "incident_id": uuid.uuid4(),
        "ticket_id": uuid.uuid4(),
        "lead_id": uuid.uuid4(),
        "deal_id": 1,
        "campaign_id": uuid.uuid4(),
        "segment_id": uuid.uuid4(),
        "recipient_id": 1,
        "event_id": 1,
        "slug": "customers",
    }


def url_for(name: str, objects: dict) -> str:
    pattern = dashboard_patterns()[name]
    kwargs = {key: objects[key] for key in pattern.pattern.converters}
    return reverse(f"dashboard:{name}", kwargs=kwargs)


def get_or_post(client, url: str):
    """A GET, or a POST where the view takes POST only (it answers a GET with 405)."""
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


DENIALS = [
    (name, role)
    for name, needed in NEEDS.items()
    if needed not in (OPEN, ANY_STAFF)
    for role in Role
    if needed not in ACTIONS[role]
]


@pytest.mark.parametrize(("name", "role"), DENIALS)
def test_a_role_without_the_action_is_refused(signed_in, objects, name, role):
    client, _user = signed_in(role)
    url = url_for(name, objects)
    events = AuditEvent.objects.count()
    requests = list(DataSubjectRequest.objects.values())
    for method in ("get", "post"):
        body = {"field": "email", "purpose": "x", "reason": "x", "months": "1", "assignee": "1"}
        response = getattr(client, method)(url, body if method == "post" else None)
        # A POST-only view may refuse a GET (405) before asking who the user is.
        allowed = (403, 405) if method == "get" else (403,)
        assert response.status_code in allowed, (method, url, response.status_code)
        assert b"Someone Else" not in response.content
    assert AuditEvent.objects.count() == events
    assert list(DataSubjectRequest.objects.values()) == requests


def test_every_action_is_allowed_to_some_role():
    """The denials above are not vacuous: each action has a role that holds it."""
    needed = {a for a in NEEDS.values() if a not in (OPEN, ANY_STAFF)}
    assert all(any(action in ACTIONS[role] for role in Role) for action in needed)


@pytest.mark.parametrize("name", [n for n, a in NEEDS.items() if a != OPEN])
def test_signed_out_visitors_are_sent_to_sign_in(client, objects, name):
    response = get_or_post(client, url_for(name, objects))
    assert response.status_code == 302 and response["Location"].startswith("/dashboard/sign-in/")


@pytest.mark.parametrize("name", [n for n, a in NEEDS.items() if a not in (OPEN,)])
def test_a_user_without_any_role_is_refused(client, django_user_model, objects, name):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client.force_login(user, "django.contrib.auth.backends.ModelBackend")
    assert get_or_post(client, url_for(name, objects)).status_code == 403


HTMLISH = '<script>alert("x")</script><b onmouseover=alert(1)>'
SQLISH = "'; DROP TABLE customers_customer; --"


def test_html_and_sql_looking_values_are_shown_escaped_after_a_reveal(signed_in):
    customer = CustomerFactory(full_name=HTMLISH + SQLISH, email="odd@example.com")
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    url = reverse("dashboard:reveal", kwargs={"customer_id": customer.pk})
    body = {"fields_to_reveal": ["name"], "purpose": "reason:", "reason": HTMLISH + SQLISH}
    assert client.post(url, body).status_code == 302
    page = client.get(reverse("dashboard:customer", kwargs={"customer_id": customer.pk}))
    html = page.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert "&#x27;; DROP TABLE customers_customer; --" in html
    from customers.models import Customer

    assert Customer.objects.get(pk=customer.pk).full_name == HTMLISH + SQLISH


ODD = {
    "nul": "a\x00b",
    "rtl": "\u202e\u0645\u0631\u062d\u0628\u0627\u202c",
    "emoji": "Zoë 👩🏽‍💻",
    "html": HTMLISH,
    "sql": SQLISH,
}
TEXT_FIELDS = (
    "query",
    "reason",
    "purpose",
    "email",
    "full_name",
    "phone",
    "postal_address",
    "code",
    "category",
    "channel",
    "kind",
    "method",
    "months",
    "assignee",
    "joined_from",
)


@pytest.mark.parametrize("name", [n for n, a in NEEDS.items() if a not in (OPEN,)])
def test_odd_text_in_every_dashboard_form_field_is_never_a_500(signed_in, objects, name):
    client, _user = signed_in(Role.ADMINISTRATOR)
    url = url_for(name, objects)
    for odd, value in ODD.items():
        body = dict.fromkeys(TEXT_FIELDS, value)
        assert client.post(url, body).status_code < 500, odd
        assert client.get(url, body).status_code < 500, odd
    raw = b"query=%ED%A0%80&reason=%FF%FE&purpose=a%00b"
    assert client.generic("POST", url, raw, "application/x-www-form-urlencoded").status_code < 500
