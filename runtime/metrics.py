"""Prometheus metrics at /metrics, for an operator's scraper only.

Request metrics come from a middleware (method, the route's name, status: never a path,
so never an id); domain figures are read from PostgreSQL at scrape time, so every
gunicorn worker answers the same. Counters kept in memory (throttle fail-open, requests)
are per process; with several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py
does) and prometheus-client adds them up across workers. No label ever holds a personal
value or an id.
"""

import hmac
import os
import time

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

THROTTLE_FAIL_OPEN = Counter(
    "custodian_throttle_fail_open",
    "API requests let through because the throttle's cache was unavailable.",
)
REPLICA_FALLBACK_READS = Counter(
    "custodian_replica_fallback_reads",
    "Lag-tolerant reads sent to the primary because the read replica was down or lagging.",
    ["reason"],
)
REPLICA_LAG = Gauge(
    "custodian_replica_lag_seconds",
    "How far behind the read replica was at its last check (the most of any process).",
    multiprocess_mode="max",
)
REQUESTS = Histogram(
    "custodian_http_request_duration_seconds",
    "Time to answer a request, by method, route name and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


# The methods a label may name; anything else a client sends is counted as "other", so
# random methods cannot grow the scrape without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str | None) -> str:
    return method if method in KNOWN_METHODS else "other"


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        REQUESTS.labels(method_label(request.method), route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


class DomainCollector:
    """The figures an operator alerts on, counted where they live (on the read replica
    when there is one: a scrape tolerates a few seconds of lag)."""

    def collect(self):
        from runtime.replica import replica_reads

        with replica_reads():
            families = list(self._families())
        yield from families

    def _families(self):
        from disposal.models import (
            DeliveryStatus,
            DisposalKind,
            DisposalRecord,
            ErasureRequest,
            WebhookDelivery,
        )
        from outbox.services import oldest_pending_age
        from privacy.models import OPEN_STATUSES, DataSubjectRequest
        from recommendations.models import Build
        from service.selectors import overdue_count

        now = timezone.now()
        erasures = GaugeMetricFamily(
            "custodian_erasure_requests", "Erasure requests by status.", labels=["status"]
        )
        by_status = dict(
            ErasureRequest.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        for status in ("pending", "running", "done", "failed"):
            erasures.add_metric([status], by_status.get(status, 0))
        yield erasures

        yield GaugeMetricFamily(
            "custodian_data_subject_requests_overdue",
            "Open data-subject requests past their due date.",
            value=DataSubjectRequest.objects.filter(
                status__in=OPEN_STATUSES, due_by__lt=timezone.localdate()
            ).count(),
        )

        yield GaugeMetricFamily(
            "custodian_service_tickets_overdue",
            "Open or waiting service tickets past their SLA due time.",
            value=overdue_count(),
        )

        deliveries = GaugeMetricFamily(
            "custodian_webhook_deliveries",
            "Processor notices not delivered, by status.",
            labels=["status"],
        )
        for status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
            deliveries.add_metric(
                [status.value], WebhookDelivery.objects.filter(status=status).count()
            )
        yield deliveries

        yield GaugeMetricFamily(
            "custodian_outbox_oldest_pending_seconds",
            "How long the oldest due job has waited for the broker (0 when none waits).",
            value=oldest_pending_age() or 0.0,
        )

        active = Build.objects.filter(is_active=True).values_list("activated_at", flat=True)
        activated = active.first()
        yield GaugeMetricFamily(
            "custodian_recommendation_build_age_seconds",
            "Age of the active recommendation build (-1 when there is none).",
            value=(now - activated).total_seconds() if activated else -1,
        )

        retention = DisposalRecord.objects.filter(kind=DisposalKind.RETENTION)
        yield GaugeMetricFamily(
            "custodian_retention_disposals",
            "Retention disposals recorded (one certificate per policy run that removed data).",
            value=retention.count(),
        )
        last = retention.order_by("-created_at").values_list("created_at", flat=True).first()
        yield GaugeMetricFamily(
            "custodian_retention_last_disposal_timestamp_seconds",
            "When the retention job last disposed of data (0 when never).",
            value=last.timestamp() if last else 0,
        )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    return registry


_DOMAIN = DomainCollector()


@never_cache
def metrics(request):
    """Off (404) unless METRICS_TOKEN is set; then `Authorization: Bearer <token>`."""
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponseNotFound()
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = _registry()
    body = generate_latest(registry) + generate_latest(_domain_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _domain_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DOMAIN)
    return registry
