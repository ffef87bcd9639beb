"""Recommendation writes: build a model, forget a customer, note what was shown.

A build reads purchases of customers with `personalization` consent (and a live data
key), their purchases in sensitive categories only if they also hold
`sensitive_personalization` (recommendations.policy), computes the model in memory
(recommendations.engine), writes it under a new build id and flips it active in one
transaction. Forgetting subtracts one customer's stored contribution from the active
model's counts and recomputes the neighbours it touched; withdrawing
`sensitive_personalization` forgets the customer the same way, then adds back their
non-sensitive contribution as a fresh build would count it. All take one lock, so a
customer forgotten while a build runs is taken out of that build before it goes live
(one who withdrew `sensitive_personalization` goes live without their sensitive
purchases). A purchase made after a build waits for the next one.
"""

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict

import numpy as np
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg.types.json import Jsonb
from scipy import sparse

from audit.models import AuditAction
from audit.services import SYSTEM, record_event
from consent.models import ConsentState
from consent.services import PERSONALIZATION, SENSITIVE_PERSONALIZATION
from customers.models import Customer, Product, Purchase
from recommendations import engine, memory, policy
from recommendations.counts import CountsModel
from recommendations.models import (
    Build,
    Contributor,
    ItemCounts,
    Neighbour,
    ShownRecommendation,
)
from runtime.replica import replica_reads
from vault.models import DataKey

logger = logging.getLogger(__name__)
CHUNK = 2000
KEEP_BUILDS = 2  # the active build and the one before, for readers mid-request


def _lock_model() -> None:
    """Serialize builds going live and forgets (PostgreSQL advisory lock, released at
    commit). SQLite serializes writers anyway."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('recommendations', 0))")


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def granted(purpose: str, customer_ids: Iterable[uuid.UUID] | None = None) -> set[uuid.UUID]:
    """Customers (of `customer_ids`, default all) who currently grant `purpose`."""
    states = ConsentState.objects.filter(purpose_id=purpose, granted=True)
    if customer_ids is None:
        return set(states.values_list("customer_id", flat=True))
    found = set()
    for chunk in _chunks(list(customer_ids)):
        found |= set(states.filter(customer_id__in=chunk).values_list("customer_id", flat=True))
    return found


def eligible_customers(customer_ids: Iterable[uuid.UUID] | None = None) -> set[uuid.UUID]:
    """Customers who may be trained on now: `personalization` granted, key not destroyed,
    processing not restricted."""
    states = ConsentState.objects.filter(purpose_id=PERSONALIZATION, granted=True)
    if customer_ids is not None:
        wanted = list(customer_ids)
        granted = set()
        for chunk in _chunks(wanted):
            granted |= set(
                states.filter(customer_id__in=chunk).values_list("customer_id", flat=True)
            )
    else:
        granted = set(states.values_list("customer_id", flat=True))
    destroyed = set()
    for chunk in _chunks(list(granted)):
        destroyed |= set(
            DataKey.objects.filter(subject_id__in=chunk, destroyed_at__isnull=False).values_list(
                "subject_id", flat=True
            )
        )
    # Restricted customers (GDPR Art. 18) are not trained on until the restriction is lifted.
    restricted = set(
        Customer.objects.filter(processing_restricted_at__isnull=False).values_list("pk", flat=True)
    )
    return granted - destroyed - restricted


def _read_training() -> tuple[dict[uuid.UUID, list[int]], list[int], set[int]]:
    """(distinct products per customer, every product counted, the sensitive ones)."""
    # May lag (replica): build_model re-checks eligibility on the primary under its lock.
    with replica_reads():
        return _read_baskets()


def _read_baskets() -> tuple[dict[uuid.UUID, list[int]], list[int], set[int]]:
    eligible = eligible_customers()
    opted_in = granted(SENSITIVE_PERSONALIZATION, eligible)
    sensitive_categories = set(policy.sensitive_categories())
    baskets: dict[uuid.UUID, set[int]] = {}
    sensitive: set[int] = set()
    for chunk in _chunks(sorted(eligible, key=str)):
        lines = (
            Purchase.objects.filter(customer_id__in=chunk)
            .exclude(product__category__in=policy.ignored_categories())
            .exclude(returned_quantity__gte=F("quantity"))  # fully returned: no evidence
            .values_list("customer_id", "product_id", "product__category")
            .distinct()
            .order_by()
        )
        for customer_id, product_id, category in lines:
            if category in sensitive_categories:
                if customer_id not in opted_in:
                    continue
                sensitive.add(product_id)
            baskets.setdefault(customer_id, set()).add(product_id)
    product_ids = sorted({product for basket in baskets.values() for product in basket})
    baskets_sorted = {customer: sorted(basket) for customer, basket in baskets.items()}
    return baskets_sorted, product_ids, sensitive


def _without_sensitive(products: list[int]) -> list[int]:
    """`products` less those now in a sensitive category."""
    sensitive = set(
        Product.objects.filter(
            pk__in=products, category__in=policy.sensitive_categories()
        ).values_list("pk", flat=True)
    )
    return [product for product in products if product not in sensitive]


def _compute(baskets: dict[uuid.UUID, list[int]], product_ids: list[int], params) -> tuple:
    index = {product_id: i for i, product_id in enumerate(product_ids)}
    customers = list(baskets)
    rows = np.repeat(np.arange(len(customers)), [len(baskets[c]) for c in customers])
    cols = np.array([index[p] for c in customers for p in baskets[c]], dtype=np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(cols)), (rows, cols)), shape=(len(customers), len(product_ids))
    )
    weights = engine.customer_weights(matrix, params)
    counts = engine.co_counts(matrix, weights)
    counts.sort_indices()
    support = engine.pair_support(matrix)
    bought_by = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.int64)
    model = CountsModel(np.asarray(product_ids, dtype=np.int64), counts, bought_by, support)
    return model, dict(zip(customers, weights.tolist(), strict=True))


def _neighbour_tuples(model: CountsModel, similar: sparse.csr_matrix, rows) -> Iterable[tuple]:
    """(product id, neighbour id, score, rank) of each row's neighbours, best first."""
    for row in rows:
        start, end = similar.indptr[row], similar.indptr[row + 1]
        cols, scores = similar.indices[start:end], similar.data[start:end]
        order = np.lexsort((cols, -scores))
        product_id = int(model.product_ids[row])
        for position, i in enumerate(order):
            yield product_id, int(model.product_ids[cols[i]]), float(scores[i]), position


def _insert(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert rows of plain values: by COPY on PostgreSQL (a model instance per row was
    most of a build's writing at 1M purchase lines, as profiled), else in bulk. Returns
    how many rows went in."""
    if connection.vendor == "postgresql":
        written = 0
        statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for values in rows:
                copy.write_row([Jsonb(v) if isinstance(v, list) else v for v in values])
                written += 1
        return written
    objects = [model(**dict(zip(columns, values, strict=True))) for values in rows]
    model.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def _write_neighbours(build: Build, model: CountsModel, similar: sparse.csr_matrix, rows) -> int:
    return _insert(
        Neighbour,
        ("build_id", "product_id", "neighbour_id", "score", "rank"),
        ((build.pk, *values) for values in _neighbour_tuples(model, similar, rows)),
    )


COUNT_COLUMNS = (
    "build_id", "product_id", "customers", "bought", "partners", "counts", "supports"
)  # fmt: skip


def _count_row(build: Build, model: CountsModel, row: int) -> tuple:
    """One product's ItemCounts values, in COUNT_COLUMNS order."""
    start, end = model.counts.indptr[row], model.counts.indptr[row + 1]
    columns = model.counts.indices[start:end]
    partners = model.product_ids[columns].astype(np.int64)
    supports = np.rint(model.support_at(row, start, end, columns)).astype(np.int32)
    return (
        build.pk,
        int(model.product_ids[row]),
        int(model.customers[row]),
        float(model.counts[row, row]),
        partners.tobytes(),
        model.counts.data[start:end].astype(np.float64).tobytes(),
        supports.tobytes(),
    )


def build_model(*, actor: str = SYSTEM, progress: Callable[[str], None] | None = None) -> Build:
    """Build a new model from consenting customers' purchases and make it the active one."""
    say = progress or (lambda message: logger.info("recommendations: %s", message))
    params = policy.params()
    started = time.perf_counter()
    baskets, product_ids, sensitive = _read_training()
    say(f"read {len(baskets)} consenting customers, {len(product_ids)} products")
    model, weights = _compute(baskets, product_ids, params)
    say(f"counted {model.counts.nnz} co-purchase pairs")
    with transaction.atomic():
        _lock_model()
        # Customers who withdrew or were erased since the read leave before going live.
        gone = set(baskets) - eligible_customers(baskets)
        for customer_id in gone:
            model.subtract(baskets.pop(customer_id), weights.pop(customer_id))
        # So do the sensitive purchases of customers who withdrew that opt-in meanwhile.
        with_sensitive = [c for c, basket in baskets.items() if sensitive.intersection(basket)]
        withdrawn = set(with_sensitive) - granted(SENSITIVE_PERSONALIZATION, with_sensitive)
        for customer_id in withdrawn:
            basket = baskets.pop(customer_id)
            model.subtract(basket, weights.pop(customer_id))
            kept = [product for product in basket if product not in sensitive]
            if kept:
                weight = float(engine.size_weights([len(kept)], params)[0])
                model.add(kept, weight)
                baskets[customer_id], weights[customer_id] = kept, weight
        similar = model.neighbours(params)
        build = Build.objects.create(
            params=asdict(params), customers=len(baskets), products=len(product_ids)
        )
        _insert(
            ItemCounts,
            COUNT_COLUMNS,
            (_count_row(build, model, row) for row in range(len(product_ids))),
        )
        say(f"wrote counts of {len(product_ids)} products")
        written = _write_neighbours(build, model, similar, range(len(product_ids)))
        say(f"wrote {written} neighbours")
        _insert(
            Contributor,
            ("build_id", "customer_id", "products", "weight"),
            (
                (build.pk, customer, basket, weights[customer])
                for customer, basket in baskets.items()
            ),
        )
        Build.objects.filter(is_active=True).update(is_active=False)
        build.is_active, build.activated_at = True, timezone.now()
        build.seconds = time.perf_counter() - started
        build.save(update_fields=["is_active", "activated_at", "seconds"])
        stale = Build.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[
            KEEP_BUILDS:
        ]
        Build.objects.filter(pk__in=list(stale)).delete()
        record_event(
            actor=actor,
            action=AuditAction.RECOMMENDATIONS_BUILT,
            object_type="recommendations.build",
            object_id=build.pk,
            metadata={"customers": len(baskets), "products": len(product_ids)},
        )
    say(f"build {build.pk} is active ({build.seconds:.2f} s)")
    return build


def _load_counts(build: Build) -> CountsModel:
    rows = list(
        ItemCounts.objects.filter(build=build)
        .order_by("product_id")
        .values_list("product_id", "customers", "partners", "counts", "supports")
    )
    product_ids = np.array([row[0] for row in rows], dtype=np.int64)
    index = {int(product_id): i for i, product_id in enumerate(product_ids)}
    indptr, indices, data, supports = [0], [], [], []
    for _, _, partners, counts, support in rows:
        partner_ids = np.frombuffer(bytes(partners), dtype=np.int64)
        indices.append(np.array([index[int(p)] for p in partner_ids], dtype=np.int64))
        data.append(np.frombuffer(bytes(counts), dtype=np.float64))
        # A build from before supports were kept has none: its params have no floor.
        stored = np.frombuffer(bytes(support), dtype=np.int32)
        supports.append(
            stored
            if len(stored) == len(partner_ids)
            else np.zeros(len(partner_ids), dtype=np.int32)
        )
        indptr.append(indptr[-1] + len(partner_ids))
    size = len(rows)
    structure = (
        np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
        np.array(indptr),
    )

    def matrix(values: list) -> sparse.csr_matrix:
        flat = np.concatenate(values).astype(np.float64) if values else np.zeros(0)
        return sparse.csr_matrix((flat, *structure), shape=(size, size))

    customers = np.array([row[1] for row in rows], dtype=np.int64)
    return CountsModel(product_ids, matrix(data), customers, matrix(supports))


def _forget_in(
    build: Build, contributor: Contributor, params: engine.Params, keep: list[int] = ()
) -> None:
    """Take a contributor out of a stored build; with `keep`, put those of their products
    back in with the weight a fresh build would give them (a partial forget)."""
    model = _load_counts(build)
    touched = model.subtract(contributor.products, contributor.weight)
    weight = float(engine.size_weights([len(keep)], params)[0])
    if keep:
        model.add(keep, weight)  # a subset of what was subtracted: no new rows touched
    if len(touched):
        similar = model.neighbours(params, rows=touched)
        touched_products = model.product_ids[touched].tolist()
        Neighbour.objects.filter(build=build, product_id__in=touched_products).delete()
        _write_neighbours(build, model, similar, touched)
        changed = model.rows_of(contributor.products)
        ItemCounts.objects.filter(
            build=build, product_id__in=model.product_ids[changed].tolist()
        ).delete()
        _insert(ItemCounts, COUNT_COLUMNS, (_count_row(build, model, row) for row in changed))
    if keep:
        contributor.products, contributor.weight = list(keep), weight
        contributor.save(update_fields=["products", "weight"])
    else:
        contributor.delete()
    # Every serving process loads this build again on its next request.
    memory.bump([build.pk])


def forget_customer(*, customer_id: uuid.UUID, actor: str = SYSTEM) -> int:
    """Take a customer's contribution out of every stored model; idempotent (a customer
    already forgotten has no contributor rows left). Returns how many builds changed."""
    with transaction.atomic():
        _lock_model()
        contributors = list(
            Contributor.objects.select_related("build").filter(customer_id=customer_id)
        )
        for contributor in contributors:
            _forget_in(contributor.build, contributor, engine.Params(**contributor.build.params))
        if contributors:
            record_event(
                actor=actor,
                action=AuditAction.RECOMMENDATIONS_FORGOTTEN,
                object_type="recommendations.contributor",
                object_id=customer_id,
                subject_id=customer_id,
                purpose=PERSONALIZATION,
                metadata={"builds": len(contributors)},
            )
    return len(contributors)


def forget_sensitive(*, customer_id: uuid.UUID, actor: str = SYSTEM) -> int:
    """Take a customer's purchases in sensitive categories out of every stored model,
    leaving the rest as a fresh build without them would count it (the customer is
    forgotten, then their non-sensitive products are added back with the weight of the
    smaller basket). Idempotent: a contribution with nothing sensitive left is not
    touched. Returns how many builds changed."""
    changed = 0
    with transaction.atomic():
        _lock_model()
        contributors = Contributor.objects.select_related("build").filter(customer_id=customer_id)
        for contributor in contributors:
            kept = _without_sensitive(contributor.products)
            if len(kept) == len(contributor.products):
                continue
            params = engine.Params(**contributor.build.params)
            _forget_in(contributor.build, contributor, params, keep=kept)
            changed += 1
        if changed:
            record_event(
                actor=actor,
                action=AuditAction.RECOMMENDATIONS_FORGOTTEN,
                object_type="recommendations.contributor",
                object_id=customer_id,
                subject_id=customer_id,
                purpose=SENSITIVE_PERSONALIZATION,
                metadata={"builds": changed, "part": "sensitive"},
            )
    return changed


def record_shown(*, customer_id: uuid.UUID, skus: list[str], personalized: bool) -> None:
    """One cheap row per response: what the customer was shown (skus only)."""
    ShownRecommendation.objects.create(
        customer_id=customer_id, skus=skus, personalized=personalized
    )
