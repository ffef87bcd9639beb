"""What an operator reads (metrics, logs, error reports) never holds a personal value."""

import io
import json
import logging
import re
from datetime import timedelta

import pytest
import sentry_sdk
from django.conf import settings
from django.db import connections
from django.utils import timezone
from prometheus_client import REGISTRY
from pythonjsonlogger.json import JsonFormatter
from sentry_sdk.transport import Transport

from disposal.models import ErasureRequest
from privacy.models import DataSubjectRequest, RequestChannel, RequestKind, RequestStatus
from runtime.logs import ScrubPersonalData
from service.services import open_ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(databases="__all__")

PERSON = {
    "external_id": "shop-obs-1",
    "email": "grace.hopper@example.com",
    "full_name": "Grace Brewster Hopper",
    "phone": "+44 20 7946 0123",
    "postal_address": "1 Navy Yard, Arlington",
    "consents": {"account": True, "personalization": True},
}
PERSONAL_VALUES = [
    "grace.hopper@example.com",
    "Grace Brewster Hopper",
    "Grace Hopper",
    "+442079460123",
    "7946 0123",
    "Navy Yard",
    "new.address@example.com",
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def realistic_flow(api_client) -> str:
    created = api_client.post("/api/v1/customers/", PERSON, format="json")
    assert created.status_code == 201
    customer_id = created.json()["id"]
    url = f"/api/v1/customers/{customer_id}/"
    assert api_client.get(url).status_code == 200
    changed = {"full_name": "Grace Hopper", "email": "new.address@example.com"}
    assert api_client.patch(url, changed, format="json").status_code == 200
    consent = api_client.post(
        f"{url}consents/", {"purpose": "personalization", "granted": False}, format="json"
    )
    assert consent.status_code in (200, 201)
    assert api_client.post(f"{url}erasure/").status_code == 202
    return customer_id


# --- metrics ---------------------------------------------------------------------------


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")


def _scrape(client) -> str:
    return client.get("/metrics", headers={"Authorization": "Bearer t"}).content.decode()


def _sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in the scrape"
    return float(match.group(1))


def test_domain_figures_count_what_is_stored_and_no_label_holds_a_value_or_id(
    client, settings, api_client
):
    settings.METRICS_TOKEN = "t"
    customer_id = realistic_flow(api_client)
    today = timezone.localdate()
    for due, status in ((-1, RequestStatus.OPEN), (1, RequestStatus.OPEN), (-1, "done")):
        DataSubjectRequest.objects.create(
            kind=RequestKind.values[0],
            channel=RequestChannel.values[0],
            status=status,
            received_at=timezone.now(),
            due_by=today + timedelta(days=due),
        )
    customer = CustomerFactory()
    for hours_ago in (30, 1):  # normal priority: due 24 h after opening
        open_ticket(
            customer=customer,
            channel="phone",
            subject="Where is my order?",
            actor="system",
            opened_at=timezone.now() - timedelta(hours=hours_ago),
        )
    text = _scrape(client)
    # Accepted; its job runs once the test's transaction commits, which it never does.
    assert _sample(text, "custodian_erasure_requests", '{status="pending"}') == 1
    assert _sample(text, "custodian_erasure_requests", '{status="done"}') == 0
    assert _sample(text, "custodian_data_subject_requests_overdue") == 1
    assert _sample(text, "custodian_service_tickets_overdue") == 1
    assert _sample(text, "custodian_webhook_deliveries", '{status="failed"}') == 0
    assert _sample(text, "custodian_outbox_oldest_pending_seconds") > 0  # that job waits
    assert _sample(text, "custodian_recommendation_build_age_seconds") == -1
    assert _sample(text, "custodian_retention_disposals") == 0
    assert "custodian_throttle_fail_open_total" in text
    assert re.search(
        r"custodian_http_request_duration_seconds_count"
        r'\{method="PATCH",route="api:customer-detail",status="200"\} \d',
        text,
    )
    assert ErasureRequest.objects.count() == 1
    for value in [*PERSONAL_VALUES, customer_id, "shop-obs-1"]:
        assert value not in text
    labels = re.findall(r'="([^"]*)"', text)
    assert not [label for label in labels if UUID.search(label) or "@" in label]


def test_a_throttle_that_fails_open_is_counted(api_client, cache_down):
    before = REGISTRY.get_sample_value("custodian_throttle_fail_open_total") or 0
    assert api_client.get("/api/v1/purposes/").status_code == 200
    assert REGISTRY.get_sample_value("custodian_throttle_fail_open_total") == before + 1


# --- logs ------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """The configured console handler, writing into a buffer, everything at DEBUG
    (SQL statements with their parameters included)."""
    root = logging.getLogger()
    handler = next(
        h for h in root.handlers if any(isinstance(f, ScrubPersonalData) for f in h.filters)
    )
    buffer = io.StringIO()
    previous_stream, previous_level = handler.setStream(buffer), root.level
    # As production writes it, whatever LOG_FORMAT a developer's .env chose.
    previous_formatter = handler.formatter
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    handler.setFormatter(JsonFormatter(**options))
    root.setLevel(logging.DEBUG)
    for connection in connections.all():
        connection.force_debug_cursor = True
    db_logger = logging.getLogger("django.db.backends")
    db_level, db_logger.level = db_logger.level, logging.DEBUG
    yield buffer
    db_logger.setLevel(db_level)
    for connection in connections.all():
        connection.force_debug_cursor = False
    root.setLevel(previous_level)
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)


def test_a_realistic_flow_logged_at_debug_leaks_no_personal_value(api_client, json_log):
    realistic_flow(api_client)
    output = json_log.getvalue()
    assert output.count("\n") > 20  # SQL and request lines were written
    lines = [json.loads(line) for line in output.splitlines()]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    for value in PERSONAL_VALUES:
        assert value not in output, f"{value!r} reached the log"


def test_log_lines_of_a_request_carry_its_id(api_client, json_log):
    response = api_client.get("/api/v1/purposes/", HTTP_X_REQUEST_ID="req-1234abcd")
    assert response["X-Request-ID"] == "req-1234abcd"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert any(line.get("request_id") == "req-1234abcd" for line in lines)
    unsafe = api_client.get("/api/v1/purposes/", HTTP_X_REQUEST_ID="a@b.example <script>")
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe["X-Request-ID"])  # replaced, not echoed


def test_the_scrubber_catches_what_code_should_never_have_logged(json_log):
    logger = logging.getLogger("custodian.test")
    logger.warning("mail %s phone %s", "ada@example.com", "+44 20 7946 0000")
    logger.info("ok", extra={"email": "ada@example.com", "customer": object()})
    try:
        raise ValueError("bad ada@example.com")
    except ValueError:
        logger.exception("failed")
    output = json_log.getvalue()
    assert "ada@example.com" not in output and "7946" not in output
    assert "[redacted]" in output
    # Dates, times and ids stay readable.
    logger.info("at 2026-11-26 10:45:21 id 123e4567-e89b-12d3-a456-426614174000")
    assert "2026-11-26 10:45:21 id 123e4567-e89b-12d3-a456-426614174000" in json_log.getvalue()


# --- error reports ---------------------------------------------------------------------


class KeptTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope.serialize().decode("utf-8", "replace"))


@pytest.fixture
def sentry_reports():
    from runtime.reporting import init_error_reporting

    transport = KeptTransport()
    init_error_reporting("https://key@sentry.invalid/1", environment="test", transport=transport)
    yield transport.envelopes
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: off again


def test_an_error_report_holds_no_body_variable_or_personal_value(
    api_client, sentry_reports, monkeypatch
):
    from api.views import customers as views

    def broken(**fields):
        email = fields.get("email")  # a local variable that must not be sent
        raise RuntimeError(f"could not store {email}")

    monkeypatch.setattr(views.services, "create_customer", broken)
    api_client.raise_request_exception = False
    response = api_client.post(
        "/api/v1/customers/?email=grace.hopper@example.com", PERSON, format="json"
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    report = "".join(sentry_reports)
    assert "could not store" in report  # the report was sent
    for value in PERSONAL_VALUES:
        assert value not in report
    assert '"vars"' not in report and "postal_address" not in report


def test_an_unknown_http_method_is_counted_as_other_so_labels_stay_bounded(client, settings):
    settings.METRICS_TOKEN = "t"
    before = len(_scrape(client))
    for n in range(40):
        client.generic(f"RANDOM{n}", "/portal/")
    text = _scrape(client)
    methods = set(
        re.findall(r'custodian_http_request_duration_seconds_count\{method="([^"]*)"', text)
    )
    assert not [method for method in methods if method.startswith("RANDOM")]
    assert "other" in methods
    assert len(text) < before + 5_000
