"""Processors get data only under an agreement, and hear of erasures by signed webhook."""

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from disposal import processors, services
from disposal.models import DeliveryStatus, Disclosure, DisposalRecord, Processor, WebhookDelivery
from disposal.verification import verify_erasure

pytestmark = pytest.mark.django_db(databases="__all__")
SECRET = "whsec-test-0123456789"


class Receiver(BaseHTTPRequestHandler):
    """A processor's endpoint: fails the first `failures` calls, then checks signatures."""

    failures = 0
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers[processors.TIMESTAMP_HEADER]
        expected = (
            "sha256="
            + hmac.new(
                SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        try:  # as a processor would, with the Standard Webhooks library
            Webhook(processors.standard_secret(SECRET)).verify(body, dict(self.headers))
            standard = True
        except WebhookVerificationError:
            standard = False
        type(self).received.append(
            {
                "body": json.loads(body),
                "valid": self.headers[processors.SIGNATURE_HEADER] == expected,
                "standard": standard,
                "id": self.headers["webhook-id"],
            }
        )
        failing = len(type(self).received) <= type(self).failures
        self.send_response(503 if failing else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    Receiver.failures = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver, f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()


@pytest.fixture
def make_processor():
    def make(url="https://processor.example/hooks", **kwargs):
        fields = {
            "name": "Mailer Ltd",
            "agreement_reference": "DPA-2026-07",
            "agreement_signed_on": date(2026, 1, 1),
            "categories": ["profile", "purchases"],
            "webhook_url": url,
            **kwargs,
        }
        return processors.save_processor(processor=Processor(**fields), webhook_secret=SECRET)

    return make


def test_the_webhook_secret_is_encrypted_at_rest(make_processor):
    processor = make_processor()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_secret FROM disposal_processor WHERE id = %s", [processor.pk]
        )
        stored = bytes(cursor.fetchone()[0])
    assert SECRET.encode() not in stored
    assert Processor.objects.get(pk=processor.pk).webhook_secret == SECRET


def test_a_disclosure_within_the_agreement_is_recorded_and_returns_the_data(
    make_processor, customer
):
    processor = make_processor()
    payload = processors.disclose(
        processor=processor, customer_id=customer.pk, categories=["profile"], actor="staff:1"
    )
    assert payload["profile"]["records"]["customers.customer"][0]["email"] == customer.email
    assert set(payload) == {"profile"}
    assert Disclosure.objects.filter(processor=processor, customer_id=customer.pk).exists()


@pytest.mark.parametrize(
    ("changes", "categories", "message"),
    [
        ({}, ["interactions"], "does not cover: interactions"),
        ({"active": False}, ["profile"], "not active"),
        ({"agreement_ends_on": date(2026, 2, 1)}, ["profile"], "has ended"),
        ({"agreement_signed_on": date.today() + timedelta(days=30)}, ["profile"], "not in force"),
    ],
)
def test_no_data_goes_without_an_agreement_covering_it(
    make_processor, customer, changes, categories, message
):
    processor = make_processor(**changes)
    with pytest.raises(ValidationError) as refused:
        processors.disclose(
            processor=processor, customer_id=customer.pk, categories=categories, actor="staff:1"
        )
    assert message in " ".join(refused.value.message_dict["processor"])
    assert not Disclosure.objects.exists()


def test_an_agreement_cannot_name_an_unknown_category(make_processor):
    with pytest.raises(ValidationError) as refused:
        make_processor(categories=["profile", "horoscopes"])
    assert "horoscopes" in str(refused.value.message_dict["categories"])


def test_erasure_notices_are_signed_retried_with_backoff_and_recorded(
    make_processor, make_customer, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SECONDS = 0
    server, url = receiver
    server.failures = 2
    told, untold = make_processor(url=url), make_processor(name="Unused Co", url=url)
    customer = make_customer()
    processors.disclose(
        processor=told, customer_id=customer.pk, categories=["profile"], actor="staff:1"
    )

    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(customer_id=customer.pk, source="api", actor="api:k")

    delivery = WebhookDelivery.objects.get(erasure_request=request)
    assert delivery.processor == told and delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 3 and delivery.notice_customer_id is None
    assert [call["valid"] for call in server.received] == [True, True, True]
    assert [call["standard"] for call in server.received] == [True, True, True]
    assert {call["id"] for call in server.received} == {str(delivery.pk)}  # same on retries
    assert server.received[-1]["body"]["customer_id"] == str(customer.pk)
    assert server.received[-1]["body"]["event"] == "customer.erased"
    assert not WebhookDelivery.objects.filter(processor=untold).exists()
    certificate = DisposalRecord.objects.get(erasure_request=request)
    assert certificate.processors_notified == [
        {"processor": "Mailer Ltd", "agreement": "DPA-2026-07"}
    ]
    assert verify_erasure(request.pk).clean


def test_a_processor_that_never_answers_is_marked_failed_after_the_last_attempt(
    make_processor, customer, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    processor = make_processor(url="http://127.0.0.1:9/unreachable")
    processors.disclose(
        processor=processor, customer_id=customer.pk, categories=["profile"], actor="staff:1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(customer_id=customer.pk, source="api", actor="api:k")
    delivery = WebhookDelivery.objects.get(erasure_request=request)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.last_error == "ConnectionError"


def test_the_backoff_doubles(settings):
    settings.WEBHOOK_RETRY_SECONDS = 30
    assert [processors.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]


def test_standard_webhook_secrets_are_whsec_and_old_ones_map_to_that_form():
    fresh = processors.new_webhook_secret()
    assert fresh.startswith("whsec_") and processors.standard_secret(fresh) == fresh
    assert len(base64.b64decode(fresh.removeprefix("whsec_"))) == 32
    old = processors.standard_secret(SECRET)
    assert old == "whsec_" + base64.b64encode(SECRET.encode()).decode()
    body = b'{"event": "customer.erased"}'
    headers = processors.standard_headers(SECRET, "msg_1", int(time.time()), body)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(old).verify(body, headers) == {"event": "customer.erased"}
    with pytest.raises(WebhookVerificationError):
        Webhook(fresh).verify(body, headers)  # another secret does not verify
