"""Privacy-desk reads: the request queue, a customer's requests, timeliness figures,
processors' acknowledgements and the records of processing (GDPR Art. 30)."""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access.policy import AssignedItem
from disposal.models import (
    Processor,
    WebhookDelivery,
)
from privacy.models import OPEN_STATUSES, DataSubjectRequest, RequestKind, RequestStatus


def request_queue(*, status: str = "open", kind: str = "") -> QuerySet:
    """Open requests first by due date, so overdue ones lead; "all" includes closed ones."""
    queryset = DataSubjectRequest.objects.select_related("assignee", "erasure_request")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status in RequestStatus.values:
        queryset = queryset.filter(status=status)
    if kind in RequestKind.values:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("due_by", "received_at")


def request_get(request_id) -> DataSubjectRequest | None:
    try:
        pk = uuid.UUID(str(request_id))
    except ValueError:
        return None
    return (
        DataSubjectRequest.objects.select_related("assignee", "erasure_request", "customer")
        .filter(pk=pk)
        .first()
    )


def requests_of(customer_id: uuid.UUID) -> list[DataSubjectRequest]:
    return list(
        DataSubjectRequest.objects.filter(customer_id=customer_id)
        .select_related("assignee")
        .order_by("-received_at")
    )


def assigned_requests(user_id: int, customer_id: uuid.UUID) -> list[AssignedItem]:
    """The customer's open requests assigned to the user: reasons to reveal (access)."""
    requests = DataSubjectRequest.objects.filter(
        customer_id=customer_id, assignee_id=user_id, status__in=OPEN_STATUSES
    ).order_by("due_by")
    return [
        AssignedItem(
            "request",
            str(request.pk),
            _("%(kind)s request %(id)s, due %(due)s")
            % {
                "kind": request.get_kind_display(),
                "id": request.short_id,
                "due": date_format(request.due_by, "SHORT_DATE_FORMAT"),
            },
        )
        for request in requests
    ]


def with_open_requests(queryset: QuerySet, has_open: bool) -> QuerySet:
    """Customers filtered on whether they have an open data-subject request."""
    open_requests = DataSubjectRequest.objects.filter(
        customer=OuterRef("pk"), status__in=OPEN_STATUSES
    )
    return queryset.filter(Exists(open_requests) if has_open else ~Exists(open_requests))


def open_request_counts(customer_ids) -> dict[uuid.UUID, int]:
    rows = (
        DataSubjectRequest.objects.filter(customer_id__in=customer_ids, status__in=OPEN_STATUSES)
        .values("customer_id")
        .annotate(count=Count("id"))
    )
    return {row["customer_id"]: row["count"] for row in rows}


@dataclass(frozen=True)
class Timeliness:
    kind: str
    on_time: int
    late: int
    open_on_time: int
    open_overdue: int


def request_timeliness() -> list[Timeliness]:
    """Per kind: closed on time or late, open within the deadline or overdue."""
    today = timezone.localdate()
    result = []
    for kind in RequestKind:
        rows = DataSubjectRequest.objects.filter(kind=kind)
        closed = rows.exclude(status__in=OPEN_STATUSES).exclude(completed_at__isnull=True)
        on_time = late = 0
        for completed_at, due_by in closed.values_list("completed_at", "due_by"):
            if timezone.localtime(completed_at).date() <= due_by:
                on_time += 1
            else:
                late += 1
        still_open = rows.filter(status__in=OPEN_STATUSES)
        result.append(
            Timeliness(
                kind,
                on_time,
                late,
                still_open.filter(due_by__gte=today).count(),
                still_open.filter(due_by__lt=today).count(),
            )
        )
    return result


@dataclass(frozen=True)
class ProcessorNotices:
    processor: Processor
    acknowledged: int
    pending: int
    failed: int
    recent: list[WebhookDelivery]


def processor_notices(recent: int = 10) -> list[ProcessorNotices]:
    """For each processor: erasure notices acknowledged (delivered), pending, failed."""
    result = []
    processors = Processor.objects.annotate(
        acknowledged=Count("deliveries", filter=Q(deliveries__status="delivered")),
        pending=Count("deliveries", filter=Q(deliveries__status="pending")),
        failed=Count("deliveries", filter=Q(deliveries__status="failed")),
    ).order_by("name")
    for processor in processors:
        latest = list(processor.deliveries.order_by("-created_at")[:recent])
        result.append(
            ProcessorNotices(
                processor, processor.acknowledged, processor.pending, processor.failed, latest
            )
        )
    return result
