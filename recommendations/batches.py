"""Batched forgetting: erasures that reach the forget step within
RECS_FORGET_BATCH_SECONDS are taken out of each build together.

An erasure's own forget step (`forget_erased`, in one transaction under the model lock)
deletes the contributor rows that name the customer, takes the customer out of the
pair supports and customer counts of their products' rows (a few small rows, no matrix
load), deletes the neighbour rows of pairs that fell under the build's minimum support,
and leaves the contribution, with no customer named, as a PendingForget. So before the
erasure reports done no pair or popular item rests on fewer than RECS_MIN_SUPPORT
customers. The batch (`apply_pending_forgets`, a job due RECS_FORGET_BATCH_SECONDS after
the first contribution of the window, and the minute's sweep) then loads each build's
matrix once, subtracts every pending contribution's weighted counts, recomputes the
neighbours of the affected products only and rewrites their rows by COPY, in one
transaction: a worker killed mid-batch rolls it back and the contributions stay pending
for the next run, while every erasure of the batch goes on (or resumes) on its own.
With RECS_FORGET_BATCH_SECONDS = 0 an erasure forgets at once (services.forget_customer).
"""

import uuid

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from audit.models import AuditAction
from audit.services import SYSTEM, record_event
from consent.services import PERSONALIZATION
from outbox.services import enqueue
from recommendations import engine, memory
from recommendations.models import Build, Contributor, ItemCounts, Neighbour, PendingForget
from recommendations.services import (
    COUNT_COLUMNS,
    _count_row,
    _insert,
    _load_counts,
    _lock_model,
    _write_neighbours,
    forget_customer,
)

APPLY_TASK = "recommendations.tasks.apply_pending_forgets"


def forget_erased(*, customer_id: uuid.UUID, actor: str = SYSTEM) -> int:
    """An erased customer out of every build: at once (batching off) or by the next
    batch, with their supports out and their contributor rows gone now. Idempotent.
    Returns how many builds changed."""
    window = settings.RECS_FORGET_BATCH_SECONDS
    if window <= 0:
        return forget_customer(customer_id=customer_id, actor=actor)
    with transaction.atomic():
        _lock_model()
        contributors = list(
            Contributor.objects.select_related("build").filter(customer_id=customer_id)
        )
        if not contributors:
            return 0
        first = not PendingForget.objects.exists()
        for contributor in contributors:
            _take_out_supports(contributor.build, contributor.products)
            PendingForget.objects.create(
                build=contributor.build,
                products=contributor.products,
                weight=contributor.weight,
            )
            contributor.delete()
        memory.bump([contributor.build_id for contributor in contributors])
        if first:  # later contributions of the window join this job's batch
            enqueue(APPLY_TASK, countdown=window)
        record_event(
            actor=actor,
            action=AuditAction.RECOMMENDATIONS_FORGOTTEN,
            object_type="recommendations.contributor",
            object_id=customer_id,
            subject_id=customer_id,
            purpose=PERSONALIZATION,
            metadata={"builds": len(contributors), "batched": True},
        )
    return len(contributors)


def _take_out_supports(build: Build, products: list[int]) -> None:
    """One customer out of the pair supports and customer counts of their products'
    rows; the neighbour rows of pairs now under the build's floor are deleted. Plain
    statements, many parameters each (profiled: the ORM's bulk_update and an OR of
    conditions were nine tenths of an erasure's forget step)."""
    floor = engine.Params(**build.params).min_support
    basket = np.array(sorted(products), dtype=np.int64)
    rows = ItemCounts.objects.filter(build=build, product_id__in=products).values_list(
        "pk", "product_id", "customers", "partners", "supports"
    )
    updates, fallen = [], []
    for pk, product_id, customers, partners, stored in rows:
        partners = np.frombuffer(bytes(partners), dtype=np.int64)
        supports = np.frombuffer(bytes(stored), dtype=np.int32).copy()
        if len(supports) != len(partners):
            # A build from before supports were kept: no floor to keep.
            updates.append((max(customers - 1, 0), bytes(stored), pk))
            continue
        bought = np.isin(partners, basket)
        # Pairs exactly at the floor fall under it; the rest had no neighbour row.
        at_floor = bought & (supports == floor) & (partners != product_id)
        supports[bought] -= 1
        updates.append((max(customers - 1, 0), supports.tobytes(), pk))
        if floor > 1:
            fallen += [(build.pk, product_id, int(p)) for p in partners[at_floor]]
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE recommendations_itemcounts SET customers = %s, supports = %s WHERE id = %s",
            updates,
        )
        if fallen:
            cursor.executemany(
                "DELETE FROM recommendations_neighbour "
                "WHERE build_id = %s AND product_id = %s AND neighbour_id = %s",
                fallen,
            )


def apply_pending_forgets() -> int:
    """Subtract every pending contribution's weighted counts, one matrix load, one
    neighbour recompute and one rewrite per build. Returns how many were applied."""
    with transaction.atomic():
        _lock_model()
        pending = list(PendingForget.objects.select_related("build"))
        by_build: dict[int, list[PendingForget]] = {}
        for item in pending:
            by_build.setdefault(item.build_id, []).append(item)
        for items in by_build.values():
            _apply_in(items[0].build, items)
        PendingForget.objects.filter(pk__in=[item.pk for item in pending]).delete()
        memory.bump(by_build)
    return len(pending)


def _apply_in(build: Build, items: list[PendingForget]) -> None:
    params = engine.Params(**build.params)
    model = _load_counts(build)
    touched, changed = [], []
    for item in items:
        touched.append(model.subtract(item.products, item.weight, support=False))
        changed.append(model.rows_of(item.products))
    touched = np.unique(np.concatenate(touched)) if touched else np.zeros(0, dtype=np.int64)
    changed = np.unique(np.concatenate(changed)) if changed else np.zeros(0, dtype=np.int64)
    if not len(touched):
        return
    similar = model.neighbours(params, rows=touched)
    Neighbour.objects.filter(
        build=build, product_id__in=model.product_ids[touched].tolist()
    ).delete()
    _write_neighbours(build, model, similar, touched)
    ItemCounts.objects.filter(
        build=build, product_id__in=model.product_ids[changed].tolist()
    ).delete()
    _insert(ItemCounts, COUNT_COLUMNS, (_count_row(build, model, row) for row in changed))
