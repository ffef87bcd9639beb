"""The active build, held in this process's memory for serving.

Each request asks the database one cheap question, the active build's id and revision
and the catalogue's last change (`current_key`: one indexed row and one index-only max),
and serves from the copy in memory while the answer is the one it was loaded under.
Every change to a build's rows (a forget, a consent withdrawal, a build going live)
gives the build a new random revision in the same transaction as the change, and every
product save moves the catalogue's last change, so a process serves a forgotten customer's
influence, or a product's old category, on no request after the change commits: the next
request in every process sees the new key and loads the build again.

Loaded: per product of the build its id, sku, category and how many customers bought it,
the neighbour rows (best first) as a sparse matrix, and every product's category (so a
request need not join the catalogue to tell which of a customer's purchases are hidden).
Policy (the minimum support, the excluded categories) is applied per request, as the SQL
reads did. Nothing personal is held: contributor rows are never read here.
"""

import threading
import uuid
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from scipy import sparse

from customers.models import Product
from recommendations.models import Build, ItemCounts

Key = tuple[int, uuid.UUID, object]


@dataclass(frozen=True)
class ServedModel:
    key: Key
    product_ids: np.ndarray  # sorted; row i of everything below is product_ids[i]
    index: dict[int, int]
    skus: np.ndarray  # object array of str
    categories: np.ndarray  # object array of str
    customers: np.ndarray  # contributing customers who bought each product
    neighbours: sparse.csr_matrix  # row -> neighbour rows, columns in rank order
    popular: np.ndarray  # rows by customers descending, then product id
    catalogue: dict[int, str]  # every product's category (built or not) when loaded
    # Per set of categories, a mask over every row (a few sets per process: the policy's).
    masks: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def best(self) -> int:
        """Customers who bought the best seller (any category): the prior's scale."""
        return int(self.customers.max()) if len(self.customers) else 0

    def rows_of(self, product_ids) -> np.ndarray:
        return np.array([self.index[p] for p in product_ids if p in self.index], dtype=np.int64)

    def category_mask(self, categories) -> np.ndarray:
        """A mask of every row: is its product in one of `categories`? Computed once per
        set and kept with the model (a string comparison per row is the slow part)."""
        wanted = frozenset(categories)
        mask = self.masks.get(wanted)
        if mask is None:
            mask = np.isin(self.categories, list(wanted))
            mask.flags.writeable = False
            self.masks[wanted] = mask
        return mask

    def in_categories(self, rows: np.ndarray, categories) -> np.ndarray:
        """A mask of `rows` whose product is in one of `categories`."""
        return self.category_mask(categories)[np.asarray(rows, dtype=np.int64)]

    def neighbour_rows(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """(neighbour rows, scores) of one product, best first."""
        start, end = self.neighbours.indptr[row], self.neighbours.indptr[row + 1]
        return self.neighbours.indices[start:end], self.neighbours.data[start:end]

    def neighbours_of(self, rows: np.ndarray, hidden) -> sparse.csr_matrix:
        """Row i: the neighbour rows of `rows[i]` (-1: a product not in the build, an
        empty row), scores by model row, none in a `hidden` category; gathered in one
        pass, each row's columns in rank order."""
        rows = np.asarray(rows, dtype=np.int64)
        known = rows >= 0
        indptr = self.neighbours.indptr
        starts = np.where(known, indptr[np.where(known, rows, 0)], 0)
        lengths = np.where(known, indptr[np.where(known, rows, 0) + 1], 0) - starts
        # Positions start..end of every row, end to end: one fancy index, no Python loop.
        ends = np.cumsum(lengths)
        positions = np.arange(ends[-1] if len(ends) else 0) + np.repeat(
            starts - ends + lengths, lengths
        )
        columns = self.neighbours.indices[positions]
        shown = ~self.category_mask(hidden)[columns]
        owner = np.repeat(np.arange(len(rows)), lengths)[shown]
        kept = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=len(rows)))))
        return sparse.csr_matrix(
            (self.neighbours.data[positions][shown], columns[shown], kept),
            shape=(len(rows), len(self.product_ids)),
        )


# The key's three columns, as subqueries a caller can read with its own row.
KEY_COLUMNS = (
    "(SELECT id FROM recommendations_build WHERE is_active)",
    "(SELECT revision FROM recommendations_build WHERE is_active)",
    "(SELECT max(updated_at) FROM customers_product)",
)


def key_of(build_id, revision, catalogue_changed) -> Key | None:
    if build_id is None:
        return None
    return int(build_id), uuid.UUID(str(revision)), catalogue_changed


def current_key() -> Key | None:
    """(active build id, its revision, the catalogue's last change), or None before any
    build: one statement (an indexed row and an index-only max)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(KEY_COLUMNS)}")
        return key_of(*cursor.fetchone())


def _load(key: Key) -> ServedModel:
    build_id = key[0]
    counts = list(
        ItemCounts.objects.filter(build_id=build_id)
        .order_by("product_id")
        .values_list("product_id", "customers", "product__sku", "product__category")
    )
    product_ids = np.array([row[0] for row in counts], dtype=np.int64)
    index = {int(product_id): i for i, product_id in enumerate(product_ids)}
    customers = np.array([row[1] for row in counts], dtype=np.int64)
    skus = np.array([row[2] for row in counts], dtype=object)
    categories = np.array([row[3] for row in counts], dtype=object)
    size = len(product_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, neighbour_id, score, rank FROM recommendations_neighbour "
            "WHERE build_id = %s",
            [build_id],
        )
        rows = cursor.fetchall()
    if rows:
        table = np.array(rows, dtype=np.float64)
        sources = np.array([index[int(p)] for p in table[:, 0]], dtype=np.int64)
        targets = np.array([index[int(p)] for p in table[:, 1]], dtype=np.int64)
        order = np.lexsort((table[:, 3], sources))
        sources, targets, scores = sources[order], targets[order], table[order, 2]
        indptr = np.concatenate(([0], np.cumsum(np.bincount(sources, minlength=size))))
        # Built from (data, indices, indptr) so the column order stays the rank order.
        neighbours = sparse.csr_matrix((scores, targets, indptr), shape=(size, size))
    else:
        neighbours = sparse.csr_matrix((size, size))
    popular = np.lexsort((product_ids, -customers))
    names: dict[str, str] = {}  # one string per category, not one per product
    catalogue = {
        product_id: names.setdefault(category, category)
        for product_id, category in Product.objects.order_by()
        .values_list("pk", "category")
        .iterator()
    }
    return ServedModel(
        key, product_ids, index, skus, categories, customers, neighbours, popular, catalogue
    )


_lock = threading.Lock()
_held: ServedModel | None = None


def served_model() -> ServedModel | None:
    """The active build as this process holds it, loaded again when its key changed;
    None before any build."""
    return served_model_at(current_key())


def served_model_at(key: Key | None) -> ServedModel | None:
    """`served_model` for a key the caller read (with `key_columns`)."""
    global _held
    if key is None:
        return None
    held = _held
    if held is not None and held.key == key:
        return held
    with _lock:
        held = _held
        if held is not None and held.key == key:
            return held
        for _ in range(5):
            model = _load(key)
            # A change committed while loading gives a new key: load again, so that no
            # copy kept mixes rows from before and after it.
            after = current_key()
            if after == key:
                _held = model
                break
            if after is None:
                return None
            key = after
    return model


def bump(build_ids) -> None:
    """Give builds a new revision (call inside the transaction that changes them)."""
    for build_id in build_ids:
        Build.objects.filter(pk=build_id).update(revision=uuid.uuid4())
