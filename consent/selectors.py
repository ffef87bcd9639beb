"""Consent reads shared by the surfaces."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from consent.models import ConsentConfirmation, ConsentEvent, ConsentState, Notice, Purpose


@dataclass(frozen=True)
class ConsentStatus:
    granted: bool
    notice_version: int | None
    updated_at: datetime | None


def current_notices() -> dict[str, Notice]:
    """The latest notice of every purpose, by purpose code, with its texts."""
    latest: dict[str, Notice] = {}
    for notice in Notice.objects.order_by("purpose_id", "-version").prefetch_related("texts"):
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


def pending_confirmations(customer_ids) -> dict[uuid.UUID, list[str]]:
    """{customer id: [purpose, ...]} of the double opt-ins waiting for the mailed link
    (open and unexpired), for many customers in one query."""
    result: dict[uuid.UUID, list[str]] = {customer_id: [] for customer_id in customer_ids}
    rows = (
        ConsentConfirmation.objects.filter(
            customer_id__in=result, confirmed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("purpose_id")
        .values_list("customer_id", "purpose_id")
        .distinct()
    )
    for customer_id, purpose in rows:
        result[customer_id].append(purpose)
    return result


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


def notices_to_review(customer_id: uuid.UUID) -> list[Notice]:
    """The newest material notice of each purpose the customer agreed to under an
    earlier version: they are asked to review it."""
    states = ConsentState.objects.filter(customer_id=customer_id, granted=True).select_related(
        "notice"
    )
    agreed = {state.purpose_id: state.notice.version for state in states}
    if not agreed:
        return []
    newer = (
        Notice.objects.filter(purpose_id__in=agreed, material=True)
        .order_by("purpose_id", "-version")
        .prefetch_related("texts")
    )
    latest: dict[str, Notice] = {}
    for notice in newer:
        if notice.version > agreed[notice.purpose_id]:
            latest.setdefault(notice.purpose_id, notice)
    return list(latest.values())


@dataclass(frozen=True)
class Choice:
    """One purpose as the customer sees it: the current notice, their choice and the
    notice it was given under."""

    purpose: Purpose
    notice: Notice  # the current notice of the purpose
    granted: bool
    given_under: Notice | None  # the notice their current choice was given under
    updated_at: datetime | None


def choices_of(customer_id: uuid.UUID) -> list[Choice]:
    states = {
        state.purpose_id: state
        for state in ConsentState.objects.filter(customer_id=customer_id)
        .select_related("notice")
        .prefetch_related("notice__texts")
    }
    notices = current_notices()
    return [
        Choice(
            purpose=purpose,
            notice=notices[purpose.code],
            granted=bool(states.get(purpose.code) and states[purpose.code].granted),
            given_under=states[purpose.code].notice if purpose.code in states else None,
            updated_at=states[purpose.code].updated_at if purpose.code in states else None,
        )
        for purpose in Purpose.objects.all()
        if purpose.code in notices
    ]


def consent_history(customer_id: uuid.UUID):
    """The customer's ledger, newest first, with each event's notice."""
    return (
        ConsentEvent.objects.filter(customer_id=customer_id)
        .select_related("notice", "purpose")
        .prefetch_related("notice__texts")
    )
