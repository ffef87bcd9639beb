"""Batched forgetting: erasures that reach the forget step within
RECS_FORGET_BATCH_SECONDS are taken out of each build together.

A batch of erasures' forget step (`forget_erased`, in one transaction under the model
lock) deletes the contributor rows that name the customers, takes the customers out of the
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

from audit.models import AuditAction, AuditEvent
from audit.services import SYSTEM, record_events
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


def forget_erased(*, customer_ids: list[uuid.UUID], actor: str = SYSTEM) -> int:
    """Erased customers (a batch of erasures) out of every build: at once (batching off)
    or by the next batch, with their supports out and their contributor rows gone now.
    Idempotent. Returns how many contributions it took out."""
    window = settings.RECS_FORGET_BATCH_SECONDS
    if window <= 0:
        return sum(forget_customer(customer_id=pk, actor=actor) for pk in customer_ids)
    with transaction.atomic():
        _lock_model()
        contributors = list(
            Contributor.objects.select_related("build").filter(customer_id__in=customer_ids)
        )
        if not contributors:
            return 0
        first = not PendingForget.objects.exists()
        by_build: dict[int, list[Contributor]] = {}
        for contributor in contributors:
            by_build.setdefault(contributor.build_id, []).append(contributor)
        for items in by_build.values():
            _take_out_supports(items[0].build, [item.products for item in items])
        PendingForget.objects.bulk_create(
            PendingForget(build=item.build, products=item.products, weight=item.weight)
            for item in contributors
        )
        Contributor.objects.filter(pk__in=[item.pk for item in contributors]).delete()
        memory.bump(list(by_build))
        if first:  # later contributions of the window join this job's batch
            enqueue(APPLY_TASK, countdown=window)
        builds: dict[uuid.UUID, int] = {}
        for item in contributors:
            builds[item.customer_id] = builds.get(item.customer_id, 0) + 1
        record_events(
            [
                AuditEvent(
                    actor=actor,
                    action=AuditAction.RECOMMENDATIONS_FORGOTTEN,
                    object_type="recommendations.contributor",
                    object_id=customer_id,
                    subject_id=customer_id,
                    purpose=PERSONALIZATION,
                    metadata={"builds": count, "batched": True},
                )
                for customer_id, count in builds.items()
            ]
        )
    return len(contributors)


def _take_out_supports(build: Build, baskets: list[list[int]]) -> None:
    """Customers (one basket each) out of the pair supports and customer counts of their
    products' rows; the neighbour rows of pairs now under the build's floor are deleted.
    Plain statements, many parameters each (profiled: the ORM's bulk_update and an OR of
    conditions were nine tenths of an erasure's forget step)."""
    floor = engine.Params(**build.params).min_support
    baskets = [np.array(sorted(products), dtype=np.int64) for products in baskets]
    holding: dict[int, list[np.ndarray]] = {}  # product -> the baskets that hold it
    for basket in baskets:
        for product_id in basket.tolist():
            holding.setdefault(product_id, []).append(basket)
    rows = ItemCounts.objects.filter(build=build, product_id__in=list(holding)).values_list(
        "pk", "product_id", "customers", "partners", "supports"
    )
    updates, fallen = [], []
    for pk, product_id, customers, partners, stored in rows:
        leaving = len(holding[product_id])
        partners = np.frombuffer(bytes(partners), dtype=np.int64)
        supports = np.frombuffer(bytes(stored), dtype=np.int32).copy()
        if len(supports) != len(partners):
            # A build from before supports were kept: no floor to keep.
            updates.append((max(customers - leaving, 0), bytes(stored), pk))
            continue
        before = supports.copy()
        for basket in holding[product_id]:
            supports[np.isin(partners, basket)] -= 1
        updates.append((max(customers - leaving, 0), supports.tobytes(), pk))
        if floor > 1:
            # Pairs that were at or over the floor and now are under it had a
            # neighbour row; the rest never had one.
            under = (before >= floor) & (supports < floor) & (partners != product_id)
            fallen += [(build.pk, product_id, int(p)) for p in partners[under]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement each, however many rows
            cursor.execute(
                "UPDATE recommendations_itemcounts AS c SET customers = u.customers, "
                "supports = u.supports FROM unnest(%s::bigint[], %s::int[], %s::bytea[]) "
                "AS u(id, customers, supports) WHERE c.id = u.id",
                [
                    [row[2] for row in updates],
                    [row[0] for row in updates],
                    [row[1] for row in updates],
                ],
            )
            if fallen:
                cursor.execute(
                    "DELETE FROM recommendations_neighbour AS n USING unnest(%s::bigint[], "
                    "%s::bigint[]) AS f(product_id, neighbour_id) WHERE n.build_id = %s AND "
                    "n.product_id = f.product_id AND n.neighbour_id = f.neighbour_id",
                    [[row[1] for row in fallen], [row[2] for row in fallen], build.pk],
                )
            return
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
