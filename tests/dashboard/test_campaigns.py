import pytest
from django.core import mail

from access.roles import Role
from campaigns.models import Campaign, Recipient, Segment
from customers.restriction import restrict_processing
from dashboard.confirm import CONFIRM_FIELD
from tests.campaigns.conftest import MARKETING_EMAIL, NO_MARKETING

pytestmark = pytest.mark.django_db(databases="__all__")
CONFIRM = {CONFIRM_FIELD: "yes"}  # what the confirmation page posts


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER])
def test_only_marketing_and_administrators_reach_the_campaign_pages(signed_in, role):
    client, _user = signed_in(role)
    for path in ("/dashboard/campaigns/", "/dashboard/campaigns/segments/new/"):
        assert client.get(path).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard/campaigns/")
    assert response.status_code == 302 and "/dashboard/sign-in/" in response["Location"]


def test_the_count_submit_shows_who_is_left_out_and_why(signed_in, make_customer):
    client, _user = signed_in(Role.MARKETING)
    for _ in range(2):
        make_customer(consents=MARKETING_EMAIL)
    make_customer(consents=NO_MARKETING)
    restrict_processing(customer=make_customer(consents=MARKETING_EMAIL), actor="staff:1")

    page = client.post(
        "/dashboard/campaigns/segments/new/",
        {"name": "All", "count_channel": "email", "action": "count"},
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert '<dd id="count-matched">4</dd>' in html
    assert '<dd id="count-eligible"><strong>2</strong></dd>' in html
    assert 'No consent for the channel: <span class="num">1</span>' in html
    assert 'Processing restricted: <span class="num">1</span>' in html
    assert not Segment.objects.exists()


def test_a_sensitive_category_is_refused_in_the_form(signed_in, make_customer, buy):
    client, _user = signed_in(Role.MARKETING)
    customer = make_customer()
    buy(customer, "PILL-1", category="health")
    buy(customer, "BK-1", category="books")

    form = client.get("/dashboard/campaigns/segments/new/").content.decode()
    assert 'value="books"' in form and 'value="health"' not in form
    page = client.post(
        "/dashboard/campaigns/segments/new/",
        {"name": "Sick", "categories": ["health"], "count_channel": "email", "action": "save"},
    )
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    assert not Segment.objects.exists()


def test_a_marketer_saves_a_segment_and_sends_an_email_campaign(
    signed_in, make_customer, django_capture_on_commit_callbacks
):
    client, _user = signed_in(Role.MARKETING)
    reached = make_customer(consents=MARKETING_EMAIL)
    make_customer(consents=NO_MARKETING)
    saved = client.post(
        "/dashboard/campaigns/segments/new/",
        {"name": "Everyone", "count_channel": "email", "action": "save"},
    )
    assert saved.status_code == 302
    segment = Segment.objects.get()
    created = client.post(
        "/dashboard/campaigns/new/",
        {
            "name": "Hello",
            "segment": segment.pk,
            "channel": "email",
            "subject": "Hi",
            "body": "Hello there",
            "offers_limit": 3,
            "holdout_percent": 0,
            "results_days": 14,
        },
    )
    campaign = Campaign.objects.get()
    assert created["Location"] == f"/dashboard/campaigns/{campaign.pk}/"
    detail = client.get(created["Location"]).content.decode()
    assert '<dd id="count-eligible"><strong>1</strong></dd>' in detail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dashboard/campaigns/{campaign.pk}/send/", CONFIRM)

    assert [m.to for m in mail.outbox] == [[reached.email]]
    page = client.get(f"/dashboard/campaigns/{campaign.pk}/").content.decode()
    assert '<dd id="count-sent">1</dd>' in page
    assert reached.email not in page


def test_an_email_campaign_without_a_subject_is_refused_with_a_field_message(
    signed_in, make_customer
):
    client, _user = signed_in(Role.MARKETING)
    segment = Segment.objects.create(name="s", created_by="t")
    page = client.post(
        "/dashboard/campaigns/new/",
        {
            "name": "x",
            "segment": segment.pk,
            "channel": "email",
            "subject": "",
            "body": "",
            "offers_limit": 3,
            "holdout_percent": 10,
            "results_days": 14,
        },
    )
    assert page.status_code == 200
    assert "An email needs a subject." in page.content.decode()
    assert not Campaign.objects.exists()


def test_support_agents_work_the_call_list_and_may_reveal_the_number_for_the_call(
    signed_in, make_customer
):
    from access.policy import Field, can_reveal
    from campaigns.services import start_send

    callee = make_customer(consents={**NO_MARKETING, "marketing_phone": True})
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(
        name="Call", segment=segment, channel="phone", holdout_percent=0, created_by="t"
    )
    start_send(campaign_id=campaign.pk, actor="staff:1")
    client, agent = signed_in(Role.SUPPORT_AGENT)

    assert client.get(f"/dashboard/campaigns/{campaign.pk}/calls/").status_code == 200
    client.post(f"/dashboard/campaigns/{campaign.pk}/calls/next/")
    page = client.get(f"/dashboard/campaigns/{campaign.pk}/calls/")
    assert f"/dashboard/customers/{callee.pk}/" in page.content.decode()
    assert can_reveal(agent, callee.pk, Field.PHONE)

    row = Recipient.objects.get(campaign=campaign)
    client.post(f"/dashboard/campaigns/{campaign.pk}/calls/{row.pk}/", {"outcome": "talked"})
    row.refresh_from_db()
    assert row.status == "sent"
    assert not can_reveal(agent, callee.pk, Field.PHONE)  # the call is done


def test_marketing_cannot_open_the_call_list(signed_in):
    client, _user = signed_in(Role.MARKETING)
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(name="c", segment=segment, channel="phone", created_by="t")
    assert client.get(f"/dashboard/campaigns/{campaign.pk}/calls/").status_code == 403


def test_the_campaign_pages_speak_bahasa_indonesia(signed_in):
    client, _user = signed_in(Role.MARKETING)
    client.post("/i18n/setlang/", {"language": "id", "next": "/dashboard/campaigns/"})
    page = client.get("/dashboard/campaigns/").content.decode()
    assert "Kampanye" in page and "Segmen baru" in page


def test_sending_asks_first_and_an_unconfirmed_post_sends_nothing(signed_in, make_customer):
    make_customer(consents=MARKETING_EMAIL)
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(
        name="Mail", segment=segment, channel="email", subject="Hi", body="Hello", created_by="t"
    )
    client, _user = signed_in(Role.MARKETING)
    url = f"/dashboard/campaigns/{campaign.pk}/send/"
    for response in (client.get(url), client.post(url)):
        page = response.content.decode()
        assert response.status_code == 200
        assert "This will send the message now" in page and 'name="confirm"' in page
        assert f'href="/dashboard/campaigns/{campaign.pk}/"' in page  # Cancel
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert not Recipient.objects.filter(campaign=campaign).exists()
