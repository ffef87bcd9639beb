"""The arithmetic of offers, free of Django so that bench/recs.py measures the very code
`recommendations.offers.offers_for` serves with.

An item the customer bought scores the sum, over the distinct orders that held it, of
DECAY ** (orders since): how often, and how recently. Among items bought about as often,
the more popular with everyone is the likelier re-buy, so each owned item gains
POPULARITY_WEIGHT times its share of the best seller's buyers. The model's results (never
owned items) score MODEL_WEIGHT times their share of the model's best score, so they
fill the list after the customer's real favourites. Tuned on the online-retail customers
file with re-buys counted (bench/recs.py prints it beside buy-again and ALS).
"""

from collections import defaultdict

DECAY = 0.95
POPULARITY_WEIGHT = 2.0
MODEL_WEIGHT = 1.0

BUY_AGAIN = "buy_again"
DISCOVER = "discover"


def buy_again_scores(lines, decay: float = DECAY) -> dict:
    """{item: score} from (item, orders since) per order line: the sum of decay ** age
    over the distinct orders that held the item."""
    scores: dict = defaultdict(float)
    for item, age in dict.fromkeys(lines):
        scores[item] += decay**age
    return dict(scores)


def blend(
    again: dict,
    model: list[tuple],
    limit: int,
    popularity: dict | None = None,
    best_seller: int | None = None,
) -> list[tuple]:
    """[(item, score, source)] best first, each item once, at most `limit`: owned items
    from `again` ({item: buy-again score}) lifted by `popularity` ({item: buyers}, as a
    share of `best_seller`'s buyers), then model items [(item, score)] scaled to
    0..MODEL_WEIGHT."""
    popularity = popularity or {}
    best_seller = best_seller or max(popularity.values(), default=0) or 1
    merged: dict = {
        item: (score + POPULARITY_WEIGHT * popularity.get(item, 0) / best_seller, BUY_AGAIN)
        for item, score in again.items()
    }
    top_model = max((score for _, score in model), default=0.0) or 1.0
    for item, score in model:
        merged.setdefault(item, (MODEL_WEIGHT * score / top_model, DISCOVER))
    ranked = sorted(merged.items(), key=lambda pair: (-pair[1][0], str(pair[0])))
    return [(item, round(score, 6), source) for item, (score, source) in ranked[:limit]]
