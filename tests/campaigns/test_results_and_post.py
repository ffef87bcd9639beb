import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from campaigns import selectors
from campaigns.models import Campaign, Recipient, Segment
from campaigns.services import export_post, start_send
from disposal.models import Disclosure, Processor
from disposal.processors import save_processor, standard_secret
from tests.campaigns.conftest import NO_MARKETING

pytestmark = pytest.mark.django_db(databases="__all__")
POST_OK = {**NO_MARKETING, "marketing_post": True}


def _processor(url="http://127.0.0.1:9/", categories=("profile",), **fields) -> Processor:
    return save_processor(
        processor=Processor(
            name=fields.pop("name", "Mail house"),
            agreement_reference="DPA-1",
            agreement_signed_on=date(2025, 1, 1),
            categories=list(categories),
            webhook_url=url,
            **fields,
        ),
        webhook_secret="s3cret",
    )


def _post_campaign(processor) -> Campaign:
    segment = Segment.objects.create(name="All", created_by="t")
    return Campaign.objects.create(
        name="Catalogue", segment=segment, channel="post", holdout_percent=0,
        processor=processor, created_by="t",
    )  # fmt: skip


def test_a_post_export_is_refused_without_an_agreement_covering_addresses(make_customer):
    make_customer(consents=POST_OK)
    campaign = _post_campaign(_processor(categories=["purchases"]))
    with pytest.raises(ValidationError) as refused:
        export_post(campaign_id=campaign.pk, actor="staff:1")
    assert "processor" in refused.value.message_dict
    assert not Disclosure.objects.exists() and not Recipient.objects.exists()


def test_a_post_export_is_refused_when_the_agreement_has_ended(make_customer):
    make_customer(consents=POST_OK)
    ended = _processor(agreement_ends_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        export_post(campaign_id=_post_campaign(ended).pk, actor="staff:1")
    assert not Disclosure.objects.exists()


def test_a_post_export_goes_to_the_processor_and_is_recorded_as_disclosures(
    make_customer, django_capture_on_commit_callbacks
):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            # Raises unless signed with the processor's secret (Standard Webhooks).
            Webhook(standard_secret("s3cret")).verify(body, dict(self.headers))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        addressed = make_customer(consents=POST_OK)
        make_customer(consents=NO_MARKETING)
        campaign = _post_campaign(_processor(url=f"http://127.0.0.1:{server.server_port}/"))
        with django_capture_on_commit_callbacks(execute=True):
            export_post(campaign_id=campaign.pk, actor="staff:1")
    finally:
        server.shutdown()
    (body,) = received
    assert [row["address"] for row in body["rows"]] == [addressed.postal_address]
    assert list(Disclosure.objects.values_list("customer_id", flat=True)) == [addressed.pk]
    campaign.refresh_from_db()
    assert campaign.status == "sent"


def test_results_compare_buyers_of_offered_items_with_the_hold_out(make_customer, buy):
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(
        name="c", segment=segment, channel="email", subject="s", body="b",
        include_offers=True, results_days=7, status="sent", created_by="t",
    )  # fmt: skip
    sent_at = timezone.now() - timedelta(days=5)
    people = [make_customer() for _ in range(4)]
    for person, group, status in zip(
        people, ["target", "target", "holdout", "holdout"],
        ["sent", "sent", "held_out", "held_out"], strict=True,
    ):  # fmt: skip
        Recipient.objects.create(
            campaign=campaign, customer=person, group=group, status=status,
            offered=["OFF-1"], sent_at=sent_at,
        )  # fmt: skip
    buy(people[0], "OFF-1", days_ago=2)  # contacted, bought the offer in the window
    buy(people[1], "OTHER", days_ago=2)  # contacted, bought something else
    buy(people[2], "OFF-1", days_ago=9)  # held out, bought before the send

    results = selectors.results(campaign)

    assert (results.contacted.size, results.contacted.buyers) == (2, 1)
    assert (results.held_out.size, results.held_out.buyers) == (2, 0)
    assert results.uplift_points == 50.0


def test_phone_hold_outs_are_recorded_at_once_and_targets_wait_for_calls(make_customer):
    for _ in range(4):
        make_customer(consents={**NO_MARKETING, "marketing_phone": True})
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(
        name="c", segment=segment, channel="phone", holdout_percent=50, created_by="t"
    )
    start_send(campaign_id=campaign.pk, actor="staff:1")
    assert selectors.progress(campaign).counts == {"held_out": 2, "pending": 2}
    assert selectors.call_list(campaign).count() == 2
