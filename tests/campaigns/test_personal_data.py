"""Recipient rows are the customer's marketing history: exported with them, erased with
them; and the send sweep hands a stalled send to a worker again."""

import pytest
from django.core import mail

from campaigns.models import Recipient
from campaigns.services import start_send
from campaigns.tasks import resume_stalled_sends
from disposal import services as disposal
from disposal.exports import export_customer
from disposal.models import ErasureSource, ErasureStatus
from outbox.models import Job
from tests.campaigns.conftest import MARKETING_EMAIL

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_customers_campaigns_are_in_their_export_and_go_with_their_erasure(
    make_customer, email_campaign, django_capture_on_commit_callbacks
):
    customer = make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign(name="Autumn")
    with django_capture_on_commit_callbacks(execute=True):
        start_send(campaign_id=campaign.pk, actor="staff:1")
    exported = export_customer(customer_id=customer.pk, actor="staff:1")
    (row,) = exported["categories"]["marketing"]["records"]["campaigns.recipient"]
    assert row["campaign__name"] == "Autumn" and row["status"] == "sent"

    with django_capture_on_commit_callbacks(execute=True):
        request = disposal.request_erasure(
            customer_id=customer.pk, source=ErasureSource.STAFF, actor="staff:1"
        )
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    assert not Recipient.objects.filter(customer_id=customer.pk).exists()


def test_the_sweep_hands_a_send_without_progress_to_a_worker_again(
    make_customer, email_campaign, settings, django_capture_on_commit_callbacks
):
    make_customer(consents=MARKETING_EMAIL)
    campaign = email_campaign()
    start_send(campaign_id=campaign.pk, actor="staff:1")  # its hand-over never ran
    assert mail.outbox == []
    settings.CAMPAIGNS_STALL_MINUTES = 0

    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_sends() == 1

    assert len(mail.outbox) == 1
    assert Job.objects.filter(task="campaigns.tasks.send_campaign_batch").count() == 2
    assert resume_stalled_sends() == 0  # finished: nothing to resume
