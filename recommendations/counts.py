"""A model's co-purchase counts in memory, between reading purchases (or a stored
build) and writing a build: the weighted counts, how many distinct customers bought each
pair (for the minimum support) and each product. Contributions are added and taken out
exactly, so forgetting a customer equals a fresh build without them. Pure numpy/scipy."""

import numpy as np
from scipy import sparse

from recommendations import engine


class CountsModel:
    """A model in memory: product ids of the matrix rows, weighted counts, how many
    distinct customers bought each pair (the same sparsity as the counts), neighbours."""

    def __init__(
        self,
        product_ids: np.ndarray,
        counts: sparse.csr_matrix,
        customers: np.ndarray,
        support: sparse.csr_matrix,
    ):
        self.product_ids = product_ids
        self.index = {int(product_id): i for i, product_id in enumerate(product_ids)}
        self.counts = counts
        self.customers = customers  # contributing customers per product
        self.support = support
        self.same_structure: bool | None = None  # of counts and support (support_at)

    def subtract(self, products: list[int], weight: float, *, support: bool = True) -> np.ndarray:
        """Take one contributor out; returns the rows whose neighbours changed. Without
        `support`, the weighted counts only: the pair supports and customer counts were
        taken out already (a batched forget, recommendations.batches)."""
        rows = self.rows_of(products)
        if not len(rows):
            return rows
        # A product's own count changes, so does its similarity to everything bought with
        # it (read before subtracting: a pair only this customer bought disappears, and
        # so does one that falls under the minimum support).
        touched = np.union1d(rows, np.unique(self.counts[rows].indices))
        size = len(self.product_ids)
        self.counts = engine.subtract(self.counts, engine.customer_counts(rows, weight, size))
        self.same_structure = None
        if support:
            self.support = engine.subtract(self.support, engine.customer_counts(rows, 1.0, size))
            self.customers[rows] -= 1
        return touched

    def add(self, products: list[int], weight: float) -> None:
        """Put one contribution (products already in the model) back in."""
        rows = self.rows_of(products)
        if len(rows):
            size = len(self.product_ids)
            self.counts = (self.counts + engine.customer_counts(rows, weight, size)).tocsr()
            self.counts.sort_indices()
            self.support = (self.support + engine.customer_counts(rows, 1.0, size)).tocsr()
            self.support.sort_indices()
            self.same_structure = None
            self.customers[rows] += 1

    def support_at(self, row: int, start: int, end: int, columns: np.ndarray) -> np.ndarray:
        """How many customers bought each pair of `row` with `columns` (the counts'
        partners, counts.indices[start:end]). Both matrices are sums over the same
        baskets, so they share their sparsity: then it is a slice, else a lookup."""
        support = self.support
        if self.same_structure is None:
            counts = self.counts
            self.same_structure = bool(
                counts.has_sorted_indices
                and support.has_sorted_indices
                and np.array_equal(counts.indptr, support.indptr)
                and np.array_equal(counts.indices, support.indices)
            )
        if self.same_structure:
            return support.data[start:end]
        return support[row][:, columns].toarray().ravel()

    def neighbours(self, params: engine.Params, rows=None) -> sparse.csr_matrix:
        return engine.neighbours(self.counts, params, rows, support=self.support)

    def rows_of(self, products: list[int]) -> np.ndarray:
        return np.unique(
            np.array([self.index[p] for p in products if p in self.index], dtype=np.int64)
        )
