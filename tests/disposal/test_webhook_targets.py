"""Processor webhooks go only to public HTTPS addresses: refused when saved (service and
admin) and again at send time, on the resolved name and on the connected peer."""

import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from disposal import processors, services, webhook_targets
from disposal.models import DeliveryStatus, Processor, WebhookDelivery

pytestmark = pytest.mark.django_db(databases="__all__")

REFUSED = [
    "http://127.0.0.1:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1:6379/",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/hooks",
    "https://192.168.1.20/hooks",
    "https://172.16.0.1/hooks",
    "https://100.64.0.1/hooks",
    "https://[::1]/hooks",
    "https://[fd00:ec2::254]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://0.0.0.0/hooks",
    "https://localhost/hooks",
    "https://api.localhost/hooks",
    "http://processor.example/hooks",  # plain HTTP outside DEBUG
]


@pytest.fixture
def production_rules(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    return settings


def _processor(url: str, name: str = "Mail house") -> Processor:
    return processors.save_processor(
        processor=Processor(
            name=name,
            agreement_reference="DPA-1",
            agreement_signed_on=date(2025, 1, 1),
            categories=["profile"],
            webhook_url=url,
        ),
        webhook_secret="s3cret",
    )


@pytest.mark.parametrize("url", REFUSED)
def test_a_webhook_to_a_local_or_plain_http_address_is_refused_when_saved(production_rules, url):
    with pytest.raises(ValidationError) as refused:
        _processor(url)
    assert "webhook_url" in refused.value.message_dict
    assert not Processor.objects.exists()


def test_a_public_https_webhook_is_accepted_and_the_allow_list_admits_a_private_one(
    production_rules,
):
    assert _processor("https://hooks.processor.example/erasure").pk
    production_rules.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert _processor("https://10.20.3.4/hooks", name="In house").pk
    with pytest.raises(ValidationError):
        _processor("https://10.30.3.4/hooks", name="Elsewhere")


def test_plain_http_is_allowed_in_debug_only(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = False  # what DEBUG sets
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert _processor("http://processor.example/hooks").pk
    with pytest.raises(ValidationError):
        _processor("http://127.0.0.1:6379/", name="Redis")


def test_the_admin_refuses_a_metadata_address(client, production_rules):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-0123456789")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/{production_rules.ADMIN_URL}disposal/processor/add/"
    response = client.post(
        url,
        {
            "name": "Metadata",
            "agreement_reference": "DPA-1",
            "agreement_signed_on": "2025-01-01",
            "categories": ["profile"],
            "webhook_url": "http://169.254.169.254/latest/meta-data/",
            "new_webhook_secret": "whsec_c2VjcmV0",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "A webhook address must start with https://." in response.content.decode()
    response = client.post(
        url,
        {
            "name": "Metadata",
            "agreement_reference": "DPA-1",
            "agreement_signed_on": "2025-01-01",
            "categories": ["profile"],
            "webhook_url": "https://169.254.169.254/latest/meta-data/",
            "new_webhook_secret": "whsec_c2VjcmV0",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "metadata address" in response.content.decode()
    assert not Processor.objects.exists()


@pytest.fixture
def loopback_receiver():
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, received
    server.shutdown()


def _erase_with_notice(processor, customer, django_capture_on_commit_callbacks):
    processors.disclose(
        processor=processor, customer_id=customer.pk, categories=["profile"], actor="staff:1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_erasure(customer_id=customer.pk, source="api", actor="api:k")
    return WebhookDelivery.objects.get(erasure_request=request)


def test_a_stored_webhook_to_loopback_is_refused_at_send_time(
    settings, customer, loopback_receiver, django_capture_on_commit_callbacks
):
    port, received = loopback_receiver
    settings.WEBHOOK_RETRY_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    processor = _processor(f"http://127.0.0.1:{port}/hooks")  # saved while allowed
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # the operator withdrew the exception
    delivery = _erase_with_notice(processor, customer, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "UnsafeWebhookTarget"
    assert received == []


def test_a_name_that_resolves_to_a_private_address_is_refused_at_send_time(
    settings, customer, django_capture_on_commit_callbacks, monkeypatch
):
    settings.WEBHOOK_RETRY_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    processor = _processor("http://hooks.processor.example:6379/")
    monkeypatch.setattr(
        webhook_targets,
        "_resolve",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 6379))],
    )
    delivery = _erase_with_notice(processor, customer, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "UnsafeWebhookTarget"


def test_a_name_rebound_to_loopback_after_the_check_is_refused_before_sending(
    settings, customer, loopback_receiver, django_capture_on_commit_callbacks, monkeypatch
):
    """DNS rebinding: the check sees a public address, the connection reaches loopback;
    the connected peer is checked before a byte of the notice is sent."""
    port, received = loopback_receiver
    settings.WEBHOOK_RETRY_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    processor = _processor(f"http://127.0.0.1:{port}/hooks")
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    monkeypatch.setattr(webhook_targets, "webhook_url_errors", lambda url: [])
    monkeypatch.setattr(
        webhook_targets,
        "_resolve",
        lambda *args, **kwargs: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80))
        ],
    )
    delivery = _erase_with_notice(processor, customer, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    assert received == []


def test_a_post_list_is_never_sent_to_a_refused_address(settings, loopback_receiver):
    from campaigns.models import Campaign, Segment
    from campaigns.services import deliver_post_list

    port, received = loopback_receiver
    processor = _processor(f"http://127.0.0.1:{port}/post-lists")  # saved while allowed
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    segment = Segment.objects.create(name="All", created_by="t")
    campaign = Campaign.objects.create(
        name="Catalogue", segment=segment, channel="post", holdout_percent=0,
        processor=processor, created_by="t",
    )  # fmt: skip
    with pytest.raises(webhook_targets.UnsafeWebhookTarget):
        deliver_post_list(campaign_id=campaign.pk)
    assert received == []
