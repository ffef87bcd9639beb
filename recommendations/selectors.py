"""Recommendation reads shared by the surfaces (API, staff dashboard, campaigns).

`recommendations_for` checks the customer's current `personalization` consent on every
call, so a withdrawal turns personal recommendations off at once; without it the
results are popular items (the same for everyone, less what the customer owns).
Nothing shown rests on fewer than RECS_MIN_SUPPORT customers (recommendations.policy):
neighbours are built that way, popular items are filtered here, and before any build
popular items are counted live from purchases of consenting customers.
Sensitive products are evidence and results only for customers who also hold
`sensitive_personalization` (see recommendations.policy); never in popular items, never
in also-bought, whose list for a sensitive product is empty. The model is read from
this process's copy of the active build (recommendations.memory), checked against the
build's revision once per request, so a request sees one build whole, and a forget,
withdrawal or new build committed before the request is always in it. The customer's
consent, restriction and purchases are read from the database on every call, in two
statements; which purchases are in a hidden category is told by the served copy's
catalogue (current with the same key), by the database for a product it does not hold.
"""

import uuid
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count

from consent.models import ConsentState
from consent.services import PERSONALIZATION, SENSITIVE_PERSONALIZATION
from customers.models import Customer, Product, Purchase
from recommendations import engine, memory, policy
from recommendations.memory import ServedModel, served_model
from recommendations.models import Build

HISTORY = 200  # the most recent distinct products used as evidence


BOUGHT_TOGETHER = "bought_together"
POPULAR = "popular"


@dataclass(frozen=True)
class Recommendation:
    sku: str
    score: float
    because: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """Why it is listed: the customer's purchases led to it (`bought_together`, with
        `because` naming them), or it is popular with other customers (`popular`)."""
        return BOUGHT_TOGETHER if self.because else POPULAR


@dataclass(frozen=True)
class Recommendations:
    personalized: bool
    results: list[Recommendation]


def active_build() -> Build | None:
    return Build.objects.filter(is_active=True).first()


def _live_popular_counts():
    """(product id, sku, customers) of popular products, best first, before any build:
    counted live over consenting, unrestricted customers' purchases (the customers a
    build would learn from)."""
    consenting = ConsentState.objects.filter(purpose_id=PERSONALIZATION, granted=True)
    return (
        Purchase.objects.filter(
            customer_id__in=consenting.values("customer_id"),
            customer__processing_restricted_at__isnull=True,
        )
        .exclude(product__category__in=policy.excluded_categories())
        .values("product_id")
        .annotate(buyers=Count("customer_id", distinct=True))
        .filter(buyers__gte=policy.min_support())
        .order_by("-buyers", "product_id")
        .values_list("product_id", "product__sku", "buyers")
    )


def _popular_rows(model: ServedModel) -> np.ndarray:
    """The build's rows that may be listed as popular, best first: bought by at least
    RECS_MIN_SUPPORT customers, never in an excluded category."""
    order = model.popular
    allowed = model.customers[order] >= policy.min_support()
    allowed &= ~model.in_categories(order, policy.excluded_categories())
    return order[allowed]


def _popular(
    limit: int, exclude: set[int], model: ServedModel | None = None
) -> list[Recommendation]:
    if model is None:
        rows = _live_popular_counts()[: limit + len(exclude)]
        top = [(sku, n) for product_id, sku, n in rows if product_id not in exclude][:limit]
    else:
        top = []
        for row in _popular_rows(model):
            if len(top) == limit:
                break
            if int(model.product_ids[row]) not in exclude:
                top.append((model.skus[row], int(model.customers[row])))
    most = max((count for _, count in top), default=1)
    return [Recommendation(sku, round(count / most, 6)) for sku, count in top]


_STANDING = (
    "SELECT c.processing_restricted_at IS NOT NULL, "  # noqa: S608  # nosec B608 (constants only)
    "EXISTS (SELECT 1 FROM consent_consentstate s WHERE s.customer_id = c.id "
    "AND s.purpose_id = %s AND s.granted), "
    "EXISTS (SELECT 1 FROM consent_consentstate s WHERE s.customer_id = c.id "
    f"AND s.purpose_id = %s AND s.granted), {', '.join(memory.KEY_COLUMNS)} "
    "FROM customers_customer c WHERE c.id = %s"
)


def _standing(customer_id: uuid.UUID) -> tuple[bool, set[str], memory.Key | None]:
    """(restricted?, which of the two purposes are granted, the served model's key):
    one statement, the first of the two a request makes (the purchases are the other)."""
    pk = Customer._meta.pk.get_db_prep_value(customer_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_STANDING, [PERSONALIZATION, SENSITIVE_PERSONALIZATION, pk])
        row = cursor.fetchone()
    if row is None:
        return False, set(), memory.current_key()
    restricted, personal, sensitive, *key = row
    granted = {PERSONALIZATION} if personal else set()
    granted |= {SENSITIVE_PERSONALIZATION} if sensitive else set()
    return bool(restricted), granted, memory.key_of(*key)


def _granted(customer_id: uuid.UUID) -> set[str]:
    """The customer's current choices on the two purposes recommendations depend on."""
    return set(
        ConsentState.objects.filter(
            customer_id=customer_id,
            purpose_id__in=(PERSONALIZATION, SENSITIVE_PERSONALIZATION),
            granted=True,
        ).values_list("purpose_id", flat=True)
    )


# The customer's purchase lines, newest first: one index range of customers_purchase and
# no join (a join of the catalogue cost more than the lines: categories come from memory).
_LINES = (
    "SELECT product_id, order_id, quantity, returned_quantity FROM customers_purchase "
    "WHERE customer_id = %s ORDER BY purchased_at DESC, id DESC"
)


def _in_categories(
    product_ids: set[int], categories: list[str], model: ServedModel | None
) -> set[int]:
    """Which of `product_ids` are in one of `categories`: from the served model's
    catalogue, and from the database for a product it does not hold (no build yet, or a
    product created since it was loaded)."""
    catalogue = model.catalogue if model is not None else {}
    known = {p: catalogue[p] for p in product_ids if p in catalogue}
    missing = product_ids - known.keys()
    if missing:
        known |= dict(Product.objects.filter(pk__in=missing).values_list("pk", "category"))
    wanted = set(categories)
    return {product_id for product_id, category in known.items() if category in wanted}


def _history(
    customer_id: uuid.UUID, hidden: list[str], model: ServedModel | None
) -> tuple[list[int], np.ndarray, set[int]]:
    """(evidence product ids, their age in orders, every product owned); products in
    `hidden` categories are owned but never evidence."""
    pk = Customer._meta.pk.get_db_prep_value(customer_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_LINES, [pk])
        lines = cursor.fetchall()
    excluded = _in_categories({line[0] for line in lines}, hidden, model)
    owned, considered, evidence, ages, orders = set(), set(), [], [], {}
    for product_id, order_id, quantity, returned in lines:
        age = orders.setdefault(order_id, len(orders))
        owned.add(product_id)  # never recommended back, even when returned
        if returned >= quantity or product_id in considered:
            continue  # a fully returned line is no evidence of a taste
        considered.add(product_id)
        if product_id not in excluded and len(evidence) < HISTORY:
            evidence.append(product_id)
            ages.append(age)
    return evidence, np.asarray(ages, dtype=np.float64), owned


def recommendations_for(customer_id: uuid.UUID, *, limit: int = 10) -> Recommendations:
    """A customer's recommendations: what their purchases lead to (with `because`),
    never what they own, padded with popular items; popular only without consent;
    nothing for a customer whose processing is restricted.
    Sensitive products, both as evidence and as results, only with
    `sensitive_personalization` too."""
    restricted, granted, key = _standing(customer_id)
    if restricted:
        # GDPR Art. 18: a restricted customer's data is stored, not used; no results at all.
        return Recommendations(False, [])
    hidden = (
        policy.ignored_categories()
        if SENSITIVE_PERSONALIZATION in granted
        else policy.excluded_categories()
    )
    model = memory.served_model_at(key)
    evidence, ages, owned = _history(customer_id, hidden, model)
    if PERSONALIZATION not in granted or model is None:
        return Recommendations(False, _popular(limit, owned, model))
    # Columns are the build's rows (product ids ascending, so ties break by product id).
    evidence_rows = np.array([model.index.get(p, -1) for p in evidence], dtype=np.int64)
    matrix = model.neighbours_of(evidence_rows, hidden)
    if not matrix.nnz:
        return Recommendations(False, _popular(limit, owned, model))
    # The popularity prior (engine.popularity_prior) can lift a popular product that no
    # neighbour row names above a weak neighbour: the best sellers the customer does not
    # own are candidates too; no other product gets a prior.
    owned_rows = model.rows_of(owned)
    candidate = np.zeros(len(model.product_ids), dtype=bool)
    candidate[matrix.indices] = True
    candidate[_popular_rows(model)[: limit + len(owned)]] = True
    params = policy.params()
    prior = engine.popularity_prior(model.customers, params, best=model.best)
    ranked = engine.rank(
        matrix,
        evidence_rows,
        engine.recency_weights(ages, params),
        limit,
        exclude=owned_rows,
        prior=np.where(candidate, prior, 0.0),
    )
    results = [
        Recommendation(
            model.skus[hit.item], round(hit.score, 6), tuple(model.skus[r] for r in hit.because)
        )
        for hit in ranked
    ]
    if len(results) < limit:
        taken = owned | {int(model.product_ids[hit.item]) for hit in ranked}
        results += [
            Recommendation(item.sku, 0.0) for item in _popular(limit - len(results), taken, model)
        ]
    # Personal only when the customer's purchases shaped the list, not when the prior
    # alone ranked popular items.
    return Recommendations(any(item.because for item in results), results)


def also_bought(product: Product, *, limit: int = 10) -> list[Recommendation]:
    """Products bought with this one by consenting customers, most similar first; never
    a sensitive product, and nothing at all for a sensitive one (its page must not show
    what else its buyers bought)."""
    if product.category in policy.sensitive_categories():
        return []
    model = served_model()
    row = None if model is None else model.index.get(product.pk)
    if row is None:
        return []
    columns, scores = model.neighbour_rows(row)
    shown = ~model.in_categories(columns, policy.excluded_categories())
    return [
        Recommendation(model.skus[column], round(float(score), 6))
        for column, score in zip(columns[shown][:limit], scores[shown][:limit], strict=True)
    ]
