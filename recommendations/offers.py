"""Tailored offers: the customer's own repeat purchases ("buy again", by how often and
how recently) blended with the recommendation model ("discover"); the arithmetic is in
recommendations.blend, which bench/recs.py measures on the online-retail customers file
with re-buys counted.

Consent and restriction are exactly those of recommendations (the same selector and
policy): nothing for a restricted customer; without `personalization` only the popular
items everyone gets (no buy-again, which is personal); sensitive products, bought or
recommended, only with `sensitive_personalization` too.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Max

from consent.services import PERSONALIZATION, SENSITIVE_PERSONALIZATION
from customers.models import Purchase
from customers.selectors import is_restricted
from recommendations import policy
from recommendations.blend import DISCOVER, blend, buy_again_scores
from recommendations.models import ItemCounts
from recommendations.selectors import _granted, recommendations_for

HISTORY_LINES = 2000

POPULAR = "popular"


@dataclass(frozen=True)
class Offer:
    sku: str
    score: float
    reason: str  # BUY_AGAIN, DISCOVER (the model, with `because`) or POPULAR
    because: tuple[str, ...] = ()


def _buy_again(customer_id: uuid.UUID, hidden: list[str]) -> dict[str, float]:
    lines = (
        Purchase.objects.filter(customer_id=customer_id)
        .exclude(product__category__in=hidden)
        .order_by("-purchased_at", "-id")
        .values_list("product__sku", "order_id")[:HISTORY_LINES]
    )
    ages: dict[str, int] = {}
    return buy_again_scores((sku, ages.setdefault(order, len(ages))) for sku, order in lines)


def offers_for(customer_id: uuid.UUID, *, limit: int = 10) -> list[Offer]:
    """The customer's offers, best first, under the consent rules of recommendations."""
    if is_restricted(customer_id):
        return []
    granted = _granted(customer_id)
    model = recommendations_for(customer_id, limit=limit)
    if PERSONALIZATION not in granted:
        return [Offer(item.sku, item.score, POPULAR) for item in model.results]
    hidden = (
        policy.ignored_categories()
        if SENSITIVE_PERSONALIZATION in granted
        else policy.excluded_categories()
    )
    because = {item.sku: item.because for item in model.results}
    again = _buy_again(customer_id, hidden)
    buyers = dict(
        ItemCounts.objects.filter(build__is_active=True, product__sku__in=again).values_list(
            "product__sku", "customers"
        )
    )
    best = ItemCounts.objects.filter(build__is_active=True).aggregate(best=Max("customers"))
    ranked = blend(
        again,
        [(item.sku, item.score) for item in model.results if item.because],
        limit,
        popularity=buyers,
        best_seller=best["best"],
    )
    offers = [
        Offer(sku, score, source, because.get(sku, ()) if source == DISCOVER else ())
        for sku, score, source in ranked
    ]
    if len(offers) < limit:  # a thin history: the popular items the model padded with
        taken = {offer.sku for offer in offers}
        offers += [
            Offer(item.sku, 0.0, POPULAR)
            for item in model.results
            if item.sku not in taken and not item.because
        ][: limit - len(offers)]
    return offers
