"""Retention: what has outlived its policy goes, in batches, with a disposal record
that counts what went and holds no personal data. Legal holds win: a policy shorter
than a hold on the same rows waits for the hold."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import SYSTEM, record_event
from customers.models import Customer, Interaction, Purchase
from disposal.models import (
    RETENTION_FLOOR_DAYS,
    DisposalKind,
    DisposalRecord,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    RetentionCategory,
    RetentionPolicy,
)
from disposal.services import request_erasures
from runtime.jobs import is_deadlock
from vault import registry

BATCH_SIZE = 1000
DEADLOCK_ATTEMPTS = 5


@dataclass
class RetentionOutcome:
    policy: str
    cutoff: datetime
    keep_days: int
    ids: list = field(default_factory=list)
    held_by: str = ""  # the legal hold that lengthened the period, if one did
    skipped: str = ""  # why nothing was done, if the policy was skipped

    @property
    def count(self) -> int:
        return len(self.ids)


# Subjects other than customers that expire (leads): their app registers, per retention
# category, finder(cutoff, now) -> the ids of subjects to erase, so disposal never
# imports upward. Each goes through the erasure pipeline like an inactive customer.
_subject_expiry: dict[str, Callable] = {}


def register_subject_expiry(category: str, finder: Callable) -> None:
    _subject_expiry[str(category)] = finder


def erases_subjects(category: str) -> bool:
    return category == RetentionCategory.INACTIVE_CUSTOMERS or category in _subject_expiry


def _effective_days(policy: RetentionPolicy, model) -> tuple[int, str]:
    entry = registry.entry_for(model)
    if entry and entry.hold_days > policy.keep_days:
        return entry.hold_days, entry.legal_hold
    return policy.keep_days, ""


def _inactive_customers(cutoff: datetime):
    open_requests = ErasureRequest.objects.filter(
        status__in=[ErasureStatus.PENDING, ErasureStatus.RUNNING]
    ).values("subject_id")
    return (
        Customer.objects.annotate(
            last_purchase=Max("purchases__purchased_at"),
            last_interaction=Max("interactions__occurred_at"),
        )
        .filter(updated_at__lt=cutoff)
        .filter(Q(last_purchase__isnull=True) | Q(last_purchase__lt=cutoff))
        .filter(Q(last_interaction__isnull=True) | Q(last_interaction__lt=cutoff))
        .exclude(pk__in=open_requests)
    )


def expired(policy: RetentionPolicy, now: datetime) -> RetentionOutcome:
    """What the policy would dispose of now: ids only."""
    if policy.category in _subject_expiry:
        days, hold = policy.keep_days, ""
        cutoff = now - timedelta(days=days)
        ids = _subject_expiry[policy.category](cutoff, now)
    elif policy.category == RetentionCategory.INACTIVE_CUSTOMERS:
        days, hold = _effective_days(policy, Customer)
        cutoff = now - timedelta(days=days)
        ids = list(_inactive_customers(cutoff).order_by("pk").values_list("pk", flat=True))
    elif policy.category == RetentionCategory.INTERACTIONS:
        days, hold = _effective_days(policy, Interaction)
        cutoff = now - timedelta(days=days)
        rows = Interaction.objects.filter(occurred_at__lt=cutoff)
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
    else:
        days, hold = _effective_days(policy, Purchase)
        cutoff = now - timedelta(days=days)
        rows = Purchase.objects.filter(purchased_at__lt=cutoff)
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
    return RetentionOutcome(policy.category, cutoff, days, ids, hold)


def _delete_in_batches(model, ids: list, progress) -> int:
    removed = 0
    for start in range(0, len(ids), BATCH_SIZE):
        removed += _delete_batch(model, ids[start : start + BATCH_SIZE])
        if progress:
            progress(removed, len(ids))
    return removed


def _delete_batch(model, ids: list, attempts: int = DEADLOCK_ATTEMPTS) -> int:
    """One batch in one transaction. The erasures this run requests delete the same
    customers' rows meanwhile, in another order: when PostgreSQL breaks a deadlock by
    rolling this batch back, the batch is tried again."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)
        except OperationalError as error:
            if not is_deadlock(error) or attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    return 0


def set_retention_period(*, policy: RetentionPolicy, keep_days: int, force: bool) -> int:
    """Check a new period for `policy` (not saved): under RETENTION_FLOOR_DAYS it is
    refused unless forced, and the refusal says how many would go at once (a dry run),
    so nobody forces it blind. Returns that count."""
    if keep_days < 1:
        raise ValidationError({"keep_days": ["Keep data at least one day."]})
    trial = RetentionPolicy(category=policy.category, keep_days=keep_days)
    would_go = expired(trial, timezone.now()).count
    if keep_days < RETENTION_FLOOR_DAYS and not force:
        raise ValidationError(
            {
                "keep_days": [
                    f"Under {RETENTION_FLOOR_DAYS} days needs forcing. Dry run: {would_go} "
                    f"would go at the next nightly run ({policy.get_category_display()})."
                ]
            }
        )
    policy.keep_days = keep_days
    policy.below_floor_forced = keep_days < RETENTION_FLOOR_DAYS
    return would_go


def apply_retention(*, dry_run: bool = False, now=None, progress=None) -> list[RetentionOutcome]:
    """Apply every active policy. Inactive customers are erased through the erasure
    pipeline (one request, one certificate each); rows are deleted in batches. A policy
    under the floor that was not forced through `set_retention_period` (a row changed
    by hand) is skipped and reported, never applied."""
    now = now or timezone.now()
    outcomes = []
    for policy in RetentionPolicy.objects.filter(active=True):
        outcome = expired(policy, now)
        outcomes.append(outcome)
        if policy.is_below_floor and not policy.below_floor_forced:
            outcome.skipped = (
                f"keep_days {policy.keep_days} is under the {RETENTION_FLOOR_DAYS}-day floor "
                "and was not forced"
            )
            continue
        if dry_run or not outcome.ids:
            continue
        if erases_subjects(policy.category):
            # A chunk of requests per transaction, one job per chunk (the job's batch).
            chunk = max(settings.ERASURE_BATCH_SIZE, 1)
            for start in range(0, outcome.count, chunk):
                request_erasures(
                    customer_ids=outcome.ids[start : start + chunk],
                    source=ErasureSource.RETENTION,
                    actor=SYSTEM,
                    require_customer=policy.category == RetentionCategory.INACTIVE_CUSTOMERS,
                )
                if progress:
                    progress(min(start + chunk, outcome.count), outcome.count)
            category = (
                "profile" if policy.category == RetentionCategory.INACTIVE_CUSTOMERS else "lead"
            )
            removed = outcome.count
        elif policy.category == RetentionCategory.INTERACTIONS:
            category, removed = (
                "interactions",
                _delete_in_batches(Interaction, outcome.ids, progress),
            )
        else:
            category, removed = "purchases", _delete_in_batches(Purchase, outcome.ids, progress)
        with transaction.atomic():
            record = DisposalRecord.objects.create(
                kind=DisposalKind.RETENTION,
                categories=[category],
                method={
                    category: "erasure requested" if erases_subjects(policy.category) else "deleted"
                },
                rows_removed={category: removed},
                legal_holds={category: outcome.held_by} if outcome.held_by else {},
                policy=policy.category,
                cutoff=outcome.cutoff,
            )
            record_event(
                actor=SYSTEM,
                action=AuditAction.RETENTION_APPLIED,
                object_type="disposal.disposalrecord",
                object_id=record.pk,
                purpose="retention",
                metadata={"policy": policy.category, "rows": removed},
            )
    return outcomes
