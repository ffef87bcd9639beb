import re

import pytest
from django.core import mail

from campaigns import selectors
from campaigns.models import CampaignStatus, Recipient, RecipientStatus, Segment
from campaigns.services import send_batch, start_send
from campaigns.tasks import send_campaign_batch
from consent.opt_in import confirm_consent, request_confirmation
from consent.selectors import has_consent
from consent.services import set_consent
from customers.restriction import restrict_processing
from outbox.models import Job
from tests.campaigns.conftest import MARKETING_EMAIL, NO_MARKETING

pytestmark = pytest.mark.django_db(databases="__all__")
LINK = re.compile(r"http://testserver(/portal/unsubscribe/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PUBLIC_URL = "http://testserver"


def test_an_email_campaign_reaches_only_consenting_unrestricted_customers(
    make_customer, email_campaign, django_capture_on_commit_callbacks
):
    yes = [make_customer(consents=MARKETING_EMAIL) for _ in range(3)]
    no = make_customer(consents=NO_MARKETING)
    restrict_processing(customer=yes[2], actor="staff:1")
    campaign = email_campaign()

    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")

    assert sorted(message.to[0] for message in mail.outbox) == sorted([yes[0].email, yes[1].email])
    assert no.email not in {m.to[0] for m in mail.outbox}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert selectors.progress(campaign).counts == {"sent": 2}


def test_each_message_has_text_html_and_rfc_8058_unsubscribe_headers(
    make_customer, email_campaign, django_capture_on_commit_callbacks
):
    customer = make_customer(consents=MARKETING_EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=email_campaign().pk, actor="staff:1")

    (message,) = mail.outbox
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url in message.body and url in message.alternatives[0][0]
    assert customer.email not in url and str(customer.pk) not in url.split(":")[0]
    assert "Spring is here." in message.body
    assert "<img" not in message.alternatives[0][0]  # no tracking pixel


def test_the_one_click_post_withdraws_the_consent_with_source_unsubscribe(
    client, make_customer, email_campaign, django_capture_on_commit_callbacks
):
    customer = make_customer(consents=MARKETING_EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=email_campaign().pk, actor="staff:1")
    path = LINK.search(mail.outbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200 and has_consent(customer.pk, "marketing_email")
    # A mail client's one-click POST: no session, no CSRF token.
    client.handler.enforce_csrf_checks = True
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not has_consent(customer.pk, "marketing_email")
    event = customer.consent_events.get(purpose="marketing_email", granted=False)
    assert event.source == "unsubscribe"
    client.post(path)  # again: nothing more is recorded
    assert customer.consent_events.filter(purpose="marketing_email", granted=False).count() == 1


def test_a_forged_unsubscribe_link_changes_nothing(client, make_customer):
    customer = make_customer(consents=MARKETING_EMAIL)
    response = client.post("/portal/unsubscribe/not-a-token/")
    assert response.status_code == 400 and has_consent(customer.pk, "marketing_email")


def test_running_the_send_task_twice_mails_everyone_once(
    make_customer, email_campaign, django_capture_on_commit_callbacks, settings
):
    settings.CAMPAIGNS_BATCH_SIZE = 2
    people = [make_customer(consents=MARKETING_EMAIL) for _ in range(5)]
    campaign = email_campaign()
    start_send(campaign_id=campaign.pk, actor="staff:1")  # on-commit hand-over not run

    send_campaign_batch(str(campaign.pk))
    send_campaign_batch(str(campaign.pk))
    send_batch(campaign_id=campaign.pk, size=100)
    send_batch(campaign_id=campaign.pk, size=100)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Recipient.objects.filter(campaign=campaign, status="sent").count() == 5


def test_a_send_goes_in_batches_each_an_outbox_job(
    make_customer, email_campaign, django_capture_on_commit_callbacks, settings
):
    settings.CAMPAIGNS_BATCH_SIZE = 2
    for _ in range(5):
        make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")
    assert len(mail.outbox) == 5
    jobs = Job.objects.filter(task="campaigns.tasks.send_campaign_batch", args=[str(campaign.pk)])
    assert jobs.count() == 3  # 2 + 2 + 1
    assert not jobs.filter(dispatched_at__isnull=True).exists()


def test_starting_twice_snapshots_once(make_customer, email_campaign):
    make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign()
    start_send(campaign_id=campaign.pk, actor="staff:1")
    start_send(campaign_id=campaign.pk, actor="staff:1")
    assert Recipient.objects.filter(campaign=campaign).count() == 1


def test_a_withdrawal_after_the_snapshot_still_wins(make_customer, email_campaign):
    customer = make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign()
    start_send(campaign_id=campaign.pk, actor="staff:1")
    set_consent(
        customer=customer, purpose="marketing_email", granted=False, source="api", actor="t"
    )

    send_batch(campaign_id=campaign.pk)

    assert mail.outbox == []
    row = Recipient.objects.get(campaign=campaign)
    assert (row.status, row.skip_reason) == ("skipped", "no_consent")


def test_the_hold_out_is_recorded_and_never_mailed(
    make_customer, email_campaign, django_capture_on_commit_callbacks
):
    people = [make_customer(consents=MARKETING_EMAIL) for _ in range(10)]
    campaign = email_campaign(holdout_percent=30)
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")

    held = Recipient.objects.filter(campaign=campaign, group="holdout")
    assert held.count() == 3
    assert set(held.values_list("status", flat=True)) == {RecipientStatus.HELD_OUT}
    mailed = {m.to[0] for m in mail.outbox}
    assert len(mailed) == 7
    held_emails = {
        p.email for p in people if p.pk in set(held.values_list("customer_id", flat=True))
    }
    assert not mailed & held_emails


def test_a_mail_server_failure_leaves_the_recipient_to_retry(
    make_customer, email_campaign, settings, monkeypatch
):
    make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign()
    start_send(campaign_id=campaign.pk, actor="staff:1")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(ConnectionRefusedError):
        send_batch(campaign_id=campaign.pk)
    assert Recipient.objects.get(campaign=campaign).status == "pending"
    monkeypatch.undo()
    send_batch(campaign_id=campaign.pk)
    assert len(mail.outbox) == 1


def test_transactional_mail_reaches_customers_without_marketing_consent(client, make_customer):
    customer = make_customer(consents=NO_MARKETING)
    restrict_processing(customer=customer, actor="staff:1")
    client.post("/portal/sign-in/", {"email": customer.email})
    (message,) = mail.outbox
    assert message.to == [customer.email]


def test_an_audit_trail_names_the_campaign_and_counts_only(
    make_customer, email_campaign, django_capture_on_commit_callbacks
):
    from audit.models import AuditEvent

    customer = make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")
    events = AuditEvent.objects.filter(object_type="campaigns.campaign")
    assert set(events.values_list("action", flat=True)) == {"campaign.started", "campaign.finished"}
    for event in events:
        assert event.subject_id is None
        assert customer.email not in str(event.metadata) and str(customer.pk) not in str(
            event.metadata
        )


def test_segment_with_no_one_left_finishes_at_once(
    email_campaign, django_capture_on_commit_callbacks
):
    campaign = email_campaign(
        segment=Segment.objects.create(name="none", created_by="t", min_orders=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_campaign_with_offers_mails_each_recipient_their_own(
    make_customer, buy, email_campaign, django_capture_on_commit_callbacks
):
    reader = make_customer(consents=MARKETING_EMAIL)
    buy(reader, "BK-9", days_ago=5)
    buy(reader, "BK-9", days_ago=3)
    campaign = email_campaign(include_offers=True, offers_limit=2)
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")
    (message,) = mail.outbox
    row = Recipient.objects.get(campaign=campaign)
    assert row.offered[0] == "BK-9"
    from customers.models import Product

    assert Product.objects.get(sku="BK-9").name in message.body


def _mailed_unsubscribe_path(make_customer, email_campaign, capture):
    customer = make_customer(consents=MARKETING_EMAIL)
    with capture(execute=True):
        start_send(campaign_id=email_campaign().pk, actor="staff:1")
    return customer, LINK.search(mail.outbox[0].body).group(1)


def test_an_old_unsubscribe_link_cannot_undo_a_later_choice_to_subscribe_again(
    client, make_customer, email_campaign, django_capture_on_commit_callbacks
):
    customer, path = _mailed_unsubscribe_path(
        make_customer, email_campaign, django_capture_on_commit_callbacks
    )
    assert client.post(path).status_code == 200
    assert not has_consent(customer.pk, "marketing_email")
    # The customer agrees again in the portal (and confirms the mailed link); the old
    # link (replayed from a log or a forwarded mail) no longer acts on that new choice.
    token = request_confirmation(
        customer=customer, purpose="marketing_email", source="portal", actor="c"
    )
    confirm_consent(token=token, actor="c")
    assert client.post(path).status_code == 200
    assert has_consent(customer.pk, "marketing_email")


def test_an_unsubscribe_link_expires(
    client, make_customer, email_campaign, django_capture_on_commit_callbacks, settings
):
    customer, path = _mailed_unsubscribe_path(
        make_customer, email_campaign, django_capture_on_commit_callbacks
    )
    settings.CAMPAIGNS_UNSUBSCRIBE_DAYS = 0  # every link made before now has expired
    page = client.post(path)
    assert page.status_code == 400
    assert "This link has expired" in page.content.decode()
    assert has_consent(customer.pk, "marketing_email")
