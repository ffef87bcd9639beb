"""The ranking arithmetic (recommendations.engine.rank), against its definition written
out densely: what serving and the offline benchmark both call."""

import numpy as np
from scipy import sparse

from recommendations import engine


def _rank_by_definition(rows, history, weights, limit, exclude, prior, because=3):
    contributions = weights[:, None] * rows.toarray()
    scores = contributions.sum(axis=0) + prior
    scores[exclude] = 0.0
    order = sorted(np.flatnonzero(scores > 0), key=lambda item: (-scores[item], item))
    ranked = []
    for item in order[:limit]:
        led = sorted(
            np.flatnonzero(contributions[:, item] > 0),
            key=lambda at: (-contributions[at, item], at),
        )
        ranked.append((int(item), scores[item], tuple(int(history[at]) for at in led[:because])))
    return ranked


def test_rank_sums_weighted_rows_and_prior_and_names_the_strongest_evidence():
    generator = np.random.default_rng(5)
    for _ in range(20):
        rows = sparse.random(12, 60, density=0.2, random_state=generator, format="csr")
        history = generator.permutation(1000)[:12]
        weights = generator.uniform(0.1, 1.0, 12)
        prior = np.where(generator.uniform(size=60) < 0.3, generator.uniform(0, 0.01, 60), 0.0)
        exclude = generator.choice(60, 5, replace=False)
        ranked = engine.rank(rows, history, weights, 10, exclude=exclude, prior=prior)
        expected = _rank_by_definition(rows, history, weights, 10, exclude, prior)
        assert [(hit.item, hit.because) for hit in ranked] == [
            (item, because) for item, _, because in expected
        ]
        assert np.allclose([hit.score for hit in ranked], [score for _, score, _ in expected])


def test_an_item_found_through_the_prior_alone_has_no_because():
    rows = sparse.csr_matrix(([0.5], ([0], [1])), shape=(1, 3))
    ranked = engine.rank(rows, np.array([7]), np.ones(1), 3, prior=np.array([0.0, 0.0, 0.2]))
    assert [(hit.item, hit.because) for hit in ranked] == [(1, (7,)), (2, ())]
