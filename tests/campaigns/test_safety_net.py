"""The safety net before a campaign goes out, through the marketing pages: the
confirmation states how many will be contacted, held out and left out; a preview shows
any recipient's message with their offers and the address masked; a test goes only to
the staff member's own address; a time is scheduled and beat starts the send then;
drafts are edited and deleted; and an unsubscribe link opened twice says so."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from access.roles import Role
from audit.models import AuditEvent
from campaigns.models import Campaign, CampaignStatus, Recipient
from campaigns.tasks import start_due_campaigns
from consent.selectors import has_consent
from customers.models import Product
from customers.restriction import restrict_processing
from dashboard.confirm import CONFIRM_FIELD
from tests.campaigns.conftest import MARKETING_EMAIL, NO_MARKETING

pytestmark = pytest.mark.django_db(databases="__all__")
CONFIRM = {CONFIRM_FIELD: "yes"}


@pytest.fixture
def marketer(client, make_staff):
    user = make_staff(Role.MARKETING, username="mira", email="mira@shop.example")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def audience(make_customer):
    """10 who agreed to offers by email, 1 who did not, 1 restricted."""
    reached = [make_customer(consents=MARKETING_EMAIL) for _ in range(10)]
    make_customer(consents=NO_MARKETING)
    restrict_processing(customer=make_customer(consents=MARKETING_EMAIL), actor="staff:1")
    return reached


def _facts(page: str) -> dict[str, str]:
    block = page[page.index('id="confirm-facts"') :]
    block = block[: block.index("</dl>")]
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block))


def test_sending_asks_first_with_the_counts_and_sends_nothing_until_confirmed(
    marketer, audience, email_campaign, django_capture_on_commit_callbacks
):
    campaign = email_campaign(holdout_percent=20)
    url = f"/dashboard/campaigns/{campaign.pk}/send/"
    page = marketer.post(url).content.decode()
    facts = _facts(page)
    assert facts["Will be emailed"] == "8"
    assert facts["Held out (not contacted, to measure the effect)"] == "2"
    assert facts["Left out"].startswith("2 (") and "No consent for the channel: 1" in page
    assert not Recipient.objects.exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        assert marketer.post(url, CONFIRM).status_code == 302
    assert len(mail.outbox) == 8


def test_the_preview_shows_a_recipients_offers_with_the_address_masked_and_is_audited(
    marketer, audience, email_campaign, buy
):
    for customer in audience:
        buy(customer, "BK-1")
    buy(audience[0], "BK-2")
    campaign = email_campaign(include_offers=True, offers_limit=2)
    page = marketer.get(f"/dashboard/campaigns/{campaign.pk}/preview/", {"n": 3}).content
    page = page.decode()
    assert "As recipient 3 of 10" in page and "Spring is here." in page
    assert "(their own unsubscribe link)" in page
    assert "Chosen for you" in page and Product.objects.get(sku="BK-1").name in page
    assert not any(customer.email in page for customer in audience)
    assert re.search(r'id="preview-to">[^<]*\*', page)
    event = AuditEvent.objects.get(action="campaign.previewed")
    assert event.metadata == {"position": 3} and event.subject_id in {c.pk for c in audience}
    assert not mail.outbox
    # Out of range goes to the nearest recipient, never an error.
    assert (
        "As recipient 10 of 10"
        in marketer.get(f"/dashboard/campaigns/{campaign.pk}/preview/", {"n": 999}).content.decode()
    )


def test_a_test_send_goes_only_to_the_staff_members_own_address(
    marketer, audience, email_campaign, settings
):
    settings.PUBLIC_URL = "https://crm.shop.example"
    campaign = email_campaign()
    response = marketer.post(f"/dashboard/campaigns/{campaign.pk}/test/", {"n": 1})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["mira@shop.example"] and message.subject == "[Test] New in spring"
    assert "https://crm.shop.example/portal/" in message.body
    assert "unsubscribe/" not in message.body
    assert not Recipient.objects.exists()
    assert Campaign.objects.get().status == CampaignStatus.DRAFT
    assert AuditEvent.objects.filter(action="campaign.test_sent").count() == 1


def test_a_staff_member_without_an_address_is_told_instead_of_a_test(
    client, make_staff, audience, email_campaign
):
    user = make_staff(Role.MARKETING, username="noaddress")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    campaign = email_campaign()
    response = client.post(f"/dashboard/campaigns/{campaign.pk}/test/", follow=True)
    assert "Your account has no email address" in response.content.decode()
    assert not mail.outbox


def test_scheduling_asks_first_then_beat_sends_it_when_due(
    marketer, audience, email_campaign, django_capture_on_commit_callbacks
):
    campaign = email_campaign()
    url = f"/dashboard/campaigns/{campaign.pk}/schedule/"
    when = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page = marketer.post(url, {"send_at": when}).content.decode()
    assert "Schedule this campaign?" in page and _facts(page)["Will be emailed"] == "10"
    assert f'name="send_at" value="{when}"' in page
    assert Campaign.objects.get().status == CampaignStatus.DRAFT
    assert marketer.post(url, {"send_at": when, **CONFIRM}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_by
    # Not due yet: beat leaves it.
    assert start_due_campaigns() == 0 and not mail.outbox
    Campaign.objects.filter(pk=campaign.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert start_due_campaigns() == 1
    assert len(mail.outbox) == 10
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    started = AuditEvent.objects.get(action="campaign.started")
    assert started.actor == campaign.scheduled_by
    assert start_due_campaigns() == 0


@pytest.mark.parametrize("value", ["2020-01-01T10:00", "not a time", ""])
def test_a_time_in_the_past_or_not_a_time_is_refused(marketer, email_campaign, value):
    campaign = email_campaign()
    response = marketer.post(f"/dashboard/campaigns/{campaign.pk}/schedule/", {"send_at": value})
    assert response.status_code == 400
    assert Campaign.objects.get().status == CampaignStatus.DRAFT


def test_a_scheduled_campaign_is_locked_until_its_schedule_is_cancelled(marketer, email_campaign):
    campaign = email_campaign()
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    marketer.post(f"/dashboard/campaigns/{campaign.pk}/schedule/", {"send_at": when, **CONFIRM})
    edit = marketer.post(
        f"/dashboard/campaigns/{campaign.pk}/edit/", {"name": "Changed"}, follow=True
    )
    assert "Cancel its schedule first" in edit.content.decode()
    marketer.post(f"/dashboard/campaigns/{campaign.pk}/delete/", CONFIRM)
    marketer.post(f"/dashboard/campaigns/{campaign.pk}/send/", CONFIRM)
    campaign.refresh_from_db()
    assert campaign.name == "Spring offers" and campaign.status == CampaignStatus.SCHEDULED
    assert marketer.post(f"/dashboard/campaigns/{campaign.pk}/unschedule/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and campaign.send_at is None


def test_a_due_campaign_that_can_no_longer_be_sent_goes_back_to_a_draft(audience, email_campaign):
    campaign = email_campaign(
        status=CampaignStatus.SCHEDULED,
        send_at=timezone.now() - timedelta(minutes=1),
        scheduled_by="staff:1",
        subject="",  # an email without a subject is refused at send time
    )
    assert start_due_campaigns() == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and campaign.send_at is None
    assert not Recipient.objects.exists() and not mail.outbox
    assert AuditEvent.objects.filter(action="campaign.unscheduled").exists()


def test_a_draft_is_edited_and_deleted_after_confirmation(marketer, email_campaign):
    campaign = email_campaign()
    form = marketer.get(f"/dashboard/campaigns/{campaign.pk}/edit/").content.decode()
    assert "Spring offers" in form and "Edit the draft" in form
    response = marketer.post(
        f"/dashboard/campaigns/{campaign.pk}/edit/",
        {
            "name": "Summer offers",
            "segment": campaign.segment_id,
            "channel": "email",
            "subject": "",
            "body": "Hello",
            "offers_limit": 3,
            "holdout_percent": 10,
            "results_days": 14,
        },
    )
    assert response.status_code == 400 and "An email needs a subject." in response.content.decode()
    marketer.post(
        f"/dashboard/campaigns/{campaign.pk}/edit/",
        {
            "name": "Summer offers",
            "segment": campaign.segment_id,
            "channel": "email",
            "subject": "Summer",
            "body": "Hello",
            "offers_limit": 3,
            "holdout_percent": 10,
            "results_days": 14,
        },
    )
    assert Campaign.objects.get().name == "Summer offers"
    page = marketer.get(f"/dashboard/campaigns/{campaign.pk}/delete/").content.decode()
    assert "Delete this draft?" in page and Campaign.objects.exists()
    marketer.post(f"/dashboard/campaigns/{campaign.pk}/delete/", CONFIRM)
    assert not Campaign.objects.exists()
    assert AuditEvent.objects.filter(action="campaign.deleted").exists()


def test_a_support_agent_cannot_preview_test_or_schedule(signed_in_agent, email_campaign):
    campaign = email_campaign()
    for path in ("preview/", "test/", "schedule/", "edit/", "delete/"):
        assert signed_in_agent.post(f"/dashboard/campaigns/{campaign.pk}/{path}").status_code == 403


@pytest.fixture
def signed_in_agent(client, make_staff):
    user = make_staff(Role.SUPPORT_AGENT, email="agent@shop.example")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_an_unsubscribe_link_opened_twice_says_already_unsubscribed(
    client, make_customer, email_campaign, django_capture_on_commit_callbacks, settings
):
    from campaigns.services import start_send

    settings.PUBLIC_URL = "https://crm.shop.example"
    customer = make_customer(consents=MARKETING_EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=email_campaign().pk, actor="staff:1")
    link = re.search(r"https://crm\.shop\.example(/portal/unsubscribe/\S+/)", mail.outbox[0].body)
    path = link.group(1)
    assert "You are unsubscribed" in client.post(path).content.decode()
    assert not has_consent(customer.pk, "marketing_email")
    again = client.get(path).content.decode()
    assert "You are already unsubscribed" in again and "Yes, unsubscribe me" not in again
    assert "You are already unsubscribed" in client.post(path).content.decode()


def test_sending_twice_sends_once_and_says_it_has_gone_out(
    marketer, audience, email_campaign, django_capture_on_commit_callbacks
):
    campaign = email_campaign()
    url = f"/dashboard/campaigns/{campaign.pk}/send/"
    with django_capture_on_commit_callbacks(execute=True):
        marketer.post(url, CONFIRM)
    again = marketer.post(url, CONFIRM, follow=True).content.decode()
    assert "This campaign has already gone out." in again
    assert len(mail.outbox) == 10
