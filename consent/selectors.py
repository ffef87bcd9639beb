"""Consent reads shared by the surfaces."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from consent.models import ConsentEvent, ConsentState, Notice, Purpose


@dataclass(frozen=True)
class ConsentStatus:
    granted: bool
    notice_version: int | None
    updated_at: datetime | None


def current_notices() -> dict[str, Notice]:
    """The latest notice of every purpose, by purpose code."""
    latest: dict[str, Notice] = {}
    for notice in Notice.objects.order_by("purpose_id", "-version"):
        latest.setdefault(notice.purpose_id, notice)
    return latest


def current_consents(customer_id: uuid.UUID) -> dict[str, ConsentStatus]:
    """Every purpose with the customer's current choice (not asked yet: not granted)."""
    states = {
        state.purpose_id: state
        for state in ConsentState.objects.filter(customer_id=customer_id).select_related("notice")
    }
    result = {}
    for code in Purpose.objects.values_list("code", flat=True):
        state = states.get(code)
        result[code] = (
            ConsentStatus(state.granted, state.notice.version, state.updated_at)
            if state
            else ConsentStatus(False, None, None)
        )
    return result


def has_consent(customer_id: uuid.UUID, purpose: str) -> bool:
    return ConsentState.objects.filter(
        customer_id=customer_id, purpose_id=purpose, granted=True
    ).exists()


def granted_by_customer(customer_ids) -> dict[uuid.UUID, dict[str, bool]]:
    """{customer id: {purpose: granted}} for many customers in one query (list pages)."""
    result: dict[uuid.UUID, dict[str, bool]] = {customer_id: {} for customer_id in customer_ids}
    states = ConsentState.objects.filter(customer_id__in=result).values_list(
        "customer_id", "purpose_id", "granted"
    )
    for customer_id, purpose, granted in states:
        result[customer_id][purpose] = granted
    return result


def consent_rates() -> list[tuple[str, int, int]]:
    """(purpose, customers granting, customers with a recorded choice) per purpose."""
    rows = dict(
        (row["purpose_id"], (row["granted"], row["total"]))
        for row in ConsentState.objects.values("purpose_id").annotate(
            granted=Count("id", filter=Q(granted=True)), total=Count("id")
        )
    )
    return [
        (code, *rows.get(code, (0, 0)))
        for code in Purpose.objects.order_by("code").values_list("code", flat=True)
    ]


def consent_history(customer_id: uuid.UUID) -> list[ConsentEvent]:
    """Every grant and withdrawal of the customer, newest first, with its notice."""
    return list(
        ConsentEvent.objects.filter(customer_id=customer_id)
        .select_related("notice")
        .order_by("-occurred_at", "-id")
    )
