"""The recommender's arithmetic: pure numpy/scipy, no Django, no personal data.

Item-to-item collaborative filtering in the manner of Linden, Smith and York (Amazon,
2003). Both the Django build (recommendations/services.py) and the offline benchmark
(bench/recs.py) call these functions, so what is measured is what is served.

- `co_counts`: item x item co-purchase counts, one weight per customer, with each item's
  own count on the diagonal. The counts are a sum over customers, so one customer's
  contribution can be subtracted exactly (`customer_counts`) when they are forgotten.
- `neighbours`: the counts turned into similarities (asymmetric cosine with shrinkage and
  an exponent) and cut to the top N per item.
- `rank`: a customer's recommendations from the neighbour rows of what they bought,
  weighted by recency, plus a small popularity prior (`popularity_prior`), with the
  purchases that led to each result (`because`).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Params:
    """Defaults chosen by bench/recs_tune.py on a validation split of the online-retail
    customers file (never on the benchmark's held-out items).

    alpha: 0.5 is plain cosine; above it, popular neighbours are penalized less
    (asymmetric cosine, Aiolli 2013). shrink: damping added to the denominator, so a pair
    seen by few customers scores low. exponent: sharpens the similarities (> 1 lets the
    strongest neighbours dominate the sum). customer_power: each customer's counts are
    weighted by 1 / (items they bought) ** power, as in IDF: a customer who bought half
    the catalogue says little about any pair. neighbours: top N kept per item.
    recency: an item last bought k orders ago weighs recency ** k.
    popularity: weight of a popularity prior added to every candidate's score (the
    share of customers who bought it, relative to the best seller), as if each customer
    had also bought "the average basket". Where the neighbours say little (a short
    history, a catalogue where popularity explains most purchases, as in groceries)
    popular items fill the list; where they are strong it only breaks ties. 0.01 was
    chosen by a sweep on the validation splits of all three benchmark files, the other
    parameters fixed (it helped all three there).
    min_support: a privacy floor, not a tuning knob: a pair counts only when at least
    this many distinct customers bought both, and an item has a popularity prior only
    when that many bought it, so no result reveals what one customer (or a handful)
    bought. 1 is no floor; the app sets it from RECS_MIN_SUPPORT (default 5).
    """

    alpha: float = 0.5
    shrink: float = 2.0
    exponent: float = 2.0
    customer_power: float = 0.5
    neighbours: int = 100
    recency: float = 0.7
    popularity: float = 0.01
    min_support: int = 1


def customer_weights(matrix: sparse.csr_matrix, params: Params) -> np.ndarray:
    """One weight per customer (row), from that customer's own basket size only, so
    that a customer's contribution to the counts does not depend on anyone else's."""
    return size_weights(np.diff(matrix.indptr), params)


def size_weights(sizes: np.ndarray, params: Params) -> np.ndarray:
    """The weights of customers who bought `sizes` distinct items each (the one formula,
    so a contribution re-added after a partial forget weighs what a fresh build gives)."""
    sizes = np.asarray(sizes, dtype=np.float64)
    return np.power(np.maximum(sizes, 1.0), -params.customer_power)


def co_counts(matrix: sparse.csr_matrix, weights: np.ndarray) -> sparse.csr_matrix:
    """Weighted co-purchase counts X' W X of a customer x item matrix (read as binary)."""
    matrix = matrix.tocsr()
    ones = np.ones(len(matrix.indices), dtype=np.float64)
    shape = matrix.shape
    binary = sparse.csr_matrix((ones, matrix.indices, matrix.indptr), shape=shape)
    per_row = np.repeat(np.asarray(weights, dtype=np.float64), np.diff(matrix.indptr))
    weighted = sparse.csr_matrix((per_row, matrix.indices, matrix.indptr), shape=shape)
    counts = (binary.T.tocsr() @ weighted).tocsr()
    counts.sort_indices()
    return counts


def pair_support(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Distinct customers who bought each pair of items (X' X of the binary matrix); the
    diagonal holds how many bought each item. Kept beside the weighted counts, and
    subtracted like them (`customer_counts` with weight 1) when a customer is forgotten."""
    matrix = matrix.tocsr()
    ones = np.ones(len(matrix.indices), dtype=np.float32)  # exact up to 2**24 customers
    binary = sparse.csr_matrix((ones, matrix.indices, matrix.indptr), shape=matrix.shape)
    support = (binary.T.tocsr() @ binary).tocsr()
    support.sort_indices()
    return support


def supported(
    counts: sparse.csr_matrix, support: sparse.csr_matrix, floor: int
) -> sparse.csr_matrix:
    """`counts` without the pairs fewer than `floor` customers bought; the diagonal
    (each item's own count, a denominator only) is kept whole."""
    counts = counts.tocsr().copy()
    counts.sort_indices()
    support = support.tocsr()
    support.sort_indices()
    size = counts.shape[0]
    if np.array_equal(counts.indptr, support.indptr) and np.array_equal(
        counts.indices, support.indices
    ):
        # Sums over the same baskets share their sparsity: one pass over the entries.
        rows = np.repeat(np.arange(size), np.diff(counts.indptr))
        counts.data[(support.data < floor) & (counts.indices != rows)] = 0.0
    else:
        enough = support.copy()
        enough.data = (support.data >= floor).astype(np.float64)
        own = counts.diagonal()
        counts = counts.multiply(enough).tocsr() + sparse.diags(
            np.where(support.diagonal() >= floor, 0.0, own)
        )
        counts = counts.tocsr()
    counts.eliminate_zeros()
    counts.sort_indices()
    return counts


def customer_counts(items: np.ndarray, weight: float, size: int) -> sparse.csr_matrix:
    """The contribution of one customer who bought `items` (distinct item indices)."""
    items = np.unique(np.asarray(items, dtype=np.int64))
    rows = np.repeat(items, len(items))
    cols = np.tile(items, len(items))
    data = np.full(len(rows), weight, dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(size, size))


def subtract(counts: sparse.csr_matrix, contribution: sparse.csr_matrix) -> sparse.csr_matrix:
    """Counts without one contribution; tiny float residues become exact zeros."""
    result = (counts - contribution).tocsr()
    result.data[np.abs(result.data) < 1e-9] = 0.0
    result.eliminate_zeros()
    result.sort_indices()
    return result


def neighbours(
    counts: sparse.csr_matrix,
    params: Params,
    rows: np.ndarray | None = None,
    *,
    support: sparse.csr_matrix | None = None,
) -> sparse.csr_matrix:
    """Top-N similarity rows (items x items) for `rows` (default: every item); the
    other rows are empty. sim(i, j) = (c_ij / (n_i^a n_j^(1-a) + shrink)) ^ exponent.
    With `support` (`pair_support`), pairs under params.min_support customers are not
    neighbours at all."""
    counts = counts.tocsr()
    floor = params.min_support if params.min_support > 1 else 0
    if floor and support is None:
        raise ValueError("A minimum support needs the pair support matrix.")
    if floor:
        # Pairs fewer than `floor` customers bought are no neighbours at all.
        counts = supported(counts, support, floor)
    size = counts.shape[0]
    own = np.maximum(counts.diagonal(), 0.0)
    # An item nobody bought has an empty row and column; a 1 keeps its denominator finite.
    present = np.where(own > 0, own, 1.0)
    left = np.power(present, params.alpha).astype(np.float32)
    right = np.power(present, 1.0 - params.alpha).astype(np.float32)
    picked = np.arange(size) if rows is None else np.unique(np.asarray(rows, dtype=np.int64))
    limit = min(params.neighbours, max(size - 1, 0))
    if limit == 0 or not len(picked):
        return sparse.csr_matrix((size, size))
    # Dense float32 blocks of rows (~16 MiB each) let argpartition pick each row's top N
    # without sorting every pair; the exponent is monotonic, so it is applied to the
    # kept scores only.
    step = max(1, 2**22 // size)

    def top_of(begin: int):
        block_rows = picked[begin : begin + step]
        dense = counts[block_rows].toarray().astype(np.float32)
        np.maximum(dense, 0.0, out=dense)
        dense[np.arange(len(block_rows)), block_rows] = 0.0
        if params.shrink:
            dense /= np.outer(left[block_rows], right) + np.float32(params.shrink)
        else:
            dense /= left[block_rows, None]
            dense /= right[None, :]
        top = np.argpartition(-dense, limit - 1, axis=1)[:, :limit]
        top_scores = np.take_along_axis(dense, top, axis=1)
        keep = top_scores > 0
        return np.repeat(block_rows, keep.sum(axis=1)), top[keep], top_scores[keep]

    # numpy releases the GIL in these loops: two threads use both cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(top_of, range(0, len(picked), step)))
    row_ids, col_ids, values = (np.concatenate(column) for column in zip(*parts, strict=True))
    values = np.power(values.astype(np.float64), params.exponent)
    result = sparse.csr_matrix((values, (row_ids, col_ids)), shape=(size, size))
    result.sort_indices()
    return result


def recency_weights(ages: np.ndarray, params: Params) -> np.ndarray:
    """Weights of history items from their age: how many orders (or, in a single
    basket, positions) ago the item was last bought. The newest weighs 1."""
    return np.power(params.recency, np.asarray(ages, dtype=np.float64))


def popularity_prior(
    bought_by: np.ndarray, params: Params, best: float | None = None
) -> np.ndarray:
    """The prior added to each item's score: params.popularity * (customers who bought
    it) / (customers who bought the best seller: `best`, default the largest given);
    none for an item fewer than params.min_support customers bought."""
    bought_by = np.asarray(bought_by, dtype=np.float64)
    if best is None:
        best = bought_by.max() if len(bought_by) else 0.0
    if best <= 0 or not params.popularity:
        return np.zeros(len(bought_by))
    prior = params.popularity * bought_by / best
    prior[bought_by < params.min_support] = 0.0
    return prior


@dataclass(frozen=True)
class Ranked:
    item: int
    score: float
    because: tuple[int, ...]  # history items that led to it, strongest first


def rank(
    rows: sparse.csr_matrix,
    history: np.ndarray,
    weights: np.ndarray,
    limit: int,
    *,
    exclude: np.ndarray | None = None,
    prior: np.ndarray | None = None,
    because: int = 3,
) -> list[Ranked]:
    """Aggregate the neighbour rows of a customer's history (one row per history item,
    in the order of `history`, naming each item at most once) plus `prior` (one per
    column, `popularity_prior`) into the top `limit` items, never an excluded one. An
    item found through the prior alone has no `because`.
    Plain numpy over the matrix's arrays: serving calls this on every request, where
    building sparse intermediates cost more than the arithmetic."""
    rows = rows.tocsr()
    per_row = np.diff(rows.indptr)
    # Each row scaled by its weight, then summed per column in row order.
    contributions = rows.data * np.repeat(np.asarray(weights, dtype=np.float64), per_row)
    scores = np.bincount(rows.indices, weights=contributions, minlength=rows.shape[1])
    if prior is not None:
        scores = scores + np.asarray(prior, dtype=np.float64)
    if exclude is not None and len(exclude):
        scores[np.asarray(exclude, dtype=np.int64)] = 0.0
    candidates = np.flatnonzero(scores > 0)
    if not len(candidates):
        return []
    top = candidates[np.lexsort((candidates, -scores[candidates]))][:limit]
    # The entries that led to a top item: (history position, item, contribution).
    found = np.isin(rows.indices, top) & (contributions > 0)
    owners = np.repeat(np.arange(rows.shape[0]), per_row)[found]
    items, amounts = rows.indices[found], contributions[found]
    results = []
    for item in top:
        mine = items == item
        positions, data = owners[mine], amounts[mine]
        order = np.lexsort((positions, -data))[:because]
        evidence = tuple(int(history[position]) for position in positions[order])
        results.append(Ranked(int(item), float(scores[item]), evidence))
    return results
