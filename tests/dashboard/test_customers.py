"""Customer pages: search by POST (no email or phone in any URL), the masked 360 view
with one audit event per view, reveal with a purpose for that page only, denials."""

import pytest

from access.roles import Role
from audit.models import AuditAction, AuditEvent
from customers.restriction import restrict_processing
from privacy.models import RequestChannel, RequestKind
from privacy.services import assign_request, open_request

pytestmark = pytest.mark.django_db(databases="__all__")

EMAIL = "ada.lovelace@example.com"
REASON = "Customer called about a damaged delivery"


@pytest.fixture
def ada(make_customer):
    return make_customer(email=EMAIL, full_name="Ada Lovelace", phone="+44 20 7946 0321")


def _url(customer, suffix=""):
    return f"/dashboard/customers/{customer.pk}/{suffix}"


def _views(customer):
    return AuditEvent.objects.filter(subject_id=customer.pk, action=AuditAction.CUSTOMER_VIEWED)


def test_search_by_email_is_a_post_that_leads_to_the_masked_360_view(signed_in, ada):
    client, _user = signed_in(Role.SUPPORT_AGENT)
    response = client.post("/dashboard/customers/search/", {"query": " ADA.Lovelace@example.com "})
    assert response.status_code == 302
    assert response["Location"] == _url(ada) and "@" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "a***@example.com" in page
    assert EMAIL not in page and "Lovelace" not in page and "0321" not in page


def test_search_by_phone_uses_the_phone_index(signed_in, ada, make_customer):
    client, _user = signed_in(Role.SUPPORT_AGENT)
    response = client.post("/dashboard/customers/search/", {"query": "+44 20 7946 0321"})
    assert response["Location"] == _url(ada)
    sibling = make_customer(phone="+44 20 7946 0321")
    response = client.post("/dashboard/customers/search/", {"query": "+442079460321"})
    assert response["Location"] == "/dashboard/customers/search/results/"
    page = client.get(response["Location"]).content.decode()
    assert str(ada.pk)[:8] in page and str(sibling.pk)[:8] in page


def test_a_search_without_a_match_says_so_without_echoing_the_value(signed_in, ada):
    client, _user = signed_in(Role.SUPPORT_AGENT)
    response = client.post("/dashboard/customers/search/", {"query": "nobody@example.com"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "No customer has exactly" in page
    bad = client.post("/dashboard/customers/search/", {"query": "+44 12"})
    assert bad.status_code == 400 and "phone" in bad.content.decode()


def test_the_list_shows_no_personal_values_and_filters_by_get(signed_in, ada):
    client, _user = signed_in(Role.MARKETING)
    page = client.get("/dashboard/customers/?consent_purpose=personalization&consent_granted=yes")
    html = page.content.decode()
    assert page.status_code == 200 and str(ada.pk)[:8] in html
    assert "a***" not in html and "Lovelace" not in html
    none = client.get("/dashboard/customers/?consent_purpose=marketing_post&consent_granted=yes")
    assert str(ada.pk)[:8] not in none.content.decode()


def test_every_360_view_writes_one_audit_event(signed_in, ada):
    client, user = signed_in(Role.SUPPORT_AGENT)
    client.get(_url(ada))
    client.get(_url(ada))
    assert _views(ada).count() == 2
    assert set(_views(ada).values_list("actor", flat=True)) == {f"staff:{user.pk}"}


def test_a_reveal_with_a_reason_shows_the_field_for_that_page_only(signed_in, ada):
    client, user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(
        _url(ada, "reveal/"),
        {"fields_to_reveal": ["email", "phone"], "purpose": "reason:", "reason": REASON},
    )
    assert response.status_code == 302
    shown = client.get(_url(ada)).content.decode()
    assert EMAIL in shown and "+442079460321" in shown and "Lovelace" not in shown
    again = client.get(_url(ada)).content.decode()
    assert EMAIL not in again
    event = AuditEvent.objects.get(subject_id=ada.pk, action=AuditAction.CUSTOMER_REVEALED)
    assert event.purpose.startswith("reason:") and event.actor == f"staff:{user.pk}"


def test_an_agent_reveals_for_the_request_assigned_to_them(signed_in, ada):
    client, agent = signed_in(Role.SUPPORT_AGENT)
    request = open_request(
        customer=ada, kind=RequestKind.ACCESS, channel=RequestChannel.PHONE, actor="system"
    )
    assign_request(request=request, assignee=agent, actor="system")
    page = client.get(_url(ada)).content.decode()
    assert request.short_id in page  # offered as the purpose
    client.post(
        _url(ada, "reveal/"), {"fields_to_reveal": ["name"], "purpose": f"request:{request.pk}"}
    )
    assert "Ada Lovelace" in client.get(_url(ada)).content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.CUSTOMER_REVEALED, purpose=f"request:{request.pk}"
    ).exists()


def test_an_agent_without_an_assigned_item_is_denied(signed_in, ada):
    client, _agent = signed_in(Role.SUPPORT_AGENT)
    response = client.post(
        _url(ada, "reveal/"),
        {"fields_to_reveal": ["email"], "purpose": "reason:", "reason": REASON},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "assigned to you" in page and EMAIL not in page
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_REVEALED).exists()


def test_marketing_works_on_segments_and_opens_no_single_customer(signed_in, ada):
    client, _user = signed_in(Role.MARKETING)
    listing = client.get("/dashboard/customers/").content.decode()
    assert str(ada.pk)[:8] in listing and _url(ada) not in listing
    assert "/dashboard/customers/search/" not in listing
    assert client.get(_url(ada)).status_code == 403
    assert client.post("/dashboard/customers/search/", {"query": EMAIL}).status_code == 403
    response = client.post(
        _url(ada, "reveal/"),
        {"fields_to_reveal": ["email"], "purpose": "reason:", "reason": REASON},
    )
    assert response.status_code == 403 and EMAIL not in response.content.decode()
    assert not AuditEvent.objects.filter(subject_id=ada.pk, action=AuditAction.CUSTOMER_VIEWED)


def test_a_reveal_without_a_reason_shows_the_error_summary(signed_in, ada):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    response = client.post(
        _url(ada, "reveal/"), {"fields_to_reveal": ["email"], "purpose": "reason:", "reason": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and EMAIL not in page


def test_the_360_view_says_when_processing_is_restricted(signed_in, ada):
    restrict_processing(customer=ada, actor="system")
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert "Processing restricted" in client.get(_url(ada)).content.decode()
    client.post(_url(ada, "lift-restriction/"))
    ada.refresh_from_db()
    assert ada.processing_restricted_at is None


def test_an_unknown_customer_is_404(signed_in):
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert (
        client.get("/dashboard/customers/00000000-0000-0000-0000-000000000001/").status_code == 404
    )


def test_an_all_digit_external_id_is_found_too(signed_in, make_customer):
    shopper = make_customer(external_id="20260042")
    client, _user = signed_in(Role.SUPPORT_AGENT)
    response = client.post("/dashboard/customers/search/", {"query": "20260042"})
    assert response["Location"] == _url(shopper)


def test_interaction_notes_stay_hidden_until_revealed(signed_in, ada):
    from customers.models import InteractionChannel
    from customers.services import record_interaction

    record_interaction(
        customer=ada, channel=InteractionChannel.PHONE, note="Parcel left with neighbour", actor="t"
    )
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    assert "neighbour" not in client.get(_url(ada)).content.decode()
    client.post(
        _url(ada, "reveal/"),
        {"fields_to_reveal": ["notes"], "purpose": "reason:", "reason": REASON},
    )
    page = client.get(_url(ada)).content.decode()
    assert "Parcel left with neighbour" in page and EMAIL not in page


def test_the_360_view_names_the_categories_shared_with_a_processor(signed_in, ada):
    from disposal.models import Processor
    from disposal.processors import disclose, save_processor

    processor = save_processor(
        processor=Processor(name="Parcel Co", agreement_reference="DPA-1",
                            agreement_signed_on="2026-01-01", categories=["profile", "purchases"],
                            webhook_url="https://parcel.example/hook"),
        webhook_secret="s",
    )  # fmt: skip
    disclose(
        processor=processor, customer_id=ada.pk, categories=["profile", "purchases"],
        actor="system",
    )  # fmt: skip
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(_url(ada)).content.decode()
    assert "Parcel Co · Your profile, Your purchases" in page
    assert "profile, purchases" not in page
