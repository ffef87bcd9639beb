"""Synthetic datasets at scale for benchmarks and load tests (`manage.py generate_dataset`).

Shaped like a real shop, not uniform noise:
- products: popularity follows a Zipf law (a few best sellers, a long tail), in
  categories of unequal size, a few of them sensitive;
- customers: activity follows a Pareto law (a few heavy buyers, many one-off ones); each
  has two favourite categories that most of their orders come from;
- time: two years of orders with seasons (a November-December peak, a summer bump) and a
  slow growth of the customer base;
- consents: account for everyone, the optional purposes at realistic rates.

Customers are real ones (data keys, encrypted fields, blind indexes, consent ledger),
written in bulk; purchase lines go in by COPY on PostgreSQL. External ids
("gen-0000042") and skus ("GEN-000042") are deterministic, so a second run with the same
sizes adds nothing and a larger one adds only what is missing.
"""

import io
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from consent.evidence import Confirmation
from consent.models import ConsentEvent, ConsentSource, ConsentState
from consent.selectors import current_notices
from consent.services import confirmation_fields, needs_confirmation
from customers.models import Customer, Product, Purchase
from vault.keys import new_data_key
from vault.models import DataKey
from vault.routers import KEYS_DB
from vault.services import key_scope

ACTOR = "system:generate_dataset"
SYNTHETIC = Confirmation(datetime(2026, 1, 1, tzinfo=UTC), "synthetic")
CATEGORIES = {  # category: share of the catalogue
    "books": 0.22,
    "kitchen": 0.14,
    "garden": 0.1,
    "toys": 0.1,
    "sports": 0.1,
    "music": 0.08,
    "beauty": 0.08,
    "clothing": 0.14,
    "health": 0.04,  # sensitive by default (RECOMMENDATIONS_SENSITIVE_CATEGORIES)
}
CONSENT_RATES = {
    "personalization": 0.7,
    "marketing_email": 0.4,
    "marketing_post": 0.15,
    "marketing_phone": 0.1,
    "analytics": 0.5,
}
# Relative order volume per month, January first: a year-end peak and a summer bump.
SEASON = [0.8, 0.7, 0.85, 0.9, 0.95, 1.05, 1.1, 1.05, 0.95, 1.0, 1.45, 1.7]
FIRST = [
    "Ada",
    "Budi",
    "Chen",
    "Dewi",
    "Eka",
    "Fatima",
    "Gita",
    "Hugo",
    "Ines",
    "Joko",
    "Kartika",
    "Lena",
    "Maya",
    "Nadia",
    "Omar",
    "Putri",
    "Rina",
    "Sari",
    "Tomas",
    "Wati",
]
LAST = ["Santoso", "Wijaya", "Hartono", "Smith", "Garcia", "Kusuma", "Nguyen", "Lim",
        "Pratama", "Rahman", "Jones", "Tan", "Siregar", "Halim", "Suharto", "Brown"]  # fmt: skip
HISTORY_DAYS = 730
BATCH = 2000


@dataclass
class DatasetResult:
    products: int = 0
    customers: int = 0
    purchases: int = 0


def sku(number: int) -> str:
    return f"GEN-{number:06d}"


def external_id(number: int) -> str:
    return f"gen-{number:07d}"


def ensure_products(count: int, rng: np.random.Generator) -> list[int]:
    """The catalogue, most popular first: returns product pks in popularity order."""
    names = list(CATEGORIES)
    categories = rng.choice(names, size=count, p=np.array(list(CATEGORIES.values())))
    prices = np.round(np.exp(rng.normal(3.0, 0.8, size=count)), 2).clip(0.99, 999)
    Product.objects.bulk_create(
        [
            Product(
                sku=sku(n),
                name=f"{categories[n - 1].title()} item {n}",
                category=categories[n - 1],
                price=Decimal(str(prices[n - 1])),
            )
            for n in range(1, count + 1)
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    by_sku = dict(
        Product.objects.filter(sku__startswith="GEN-").values_list("sku", "pk").order_by()
    )
    return [by_sku[sku(n)] for n in range(1, count + 1)]


def _existing(numbers: range) -> dict[int, uuid.UUID]:
    """Customers of these numbers already stored, found by their blind index."""
    field = Customer._meta.get_field("external_id_index")
    digests = {field.digest(external_id(number)): number for number in numbers}
    found: dict[int, uuid.UUID] = {}
    keys = list(digests)
    for start in range(0, len(keys), 10_000):
        rows = Customer.objects.filter(external_id_index__in=keys[start : start + 10_000])
        for digest, pk in rows.values_list("external_id_index", "pk"):
            found[digests[digest]] = pk
    return found


def _customer(number: int, rng: random.Random) -> Customer:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    phone = f"+4477{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None
    return Customer(
        id=uuid.uuid4(),
        external_id=external_id(number),
        email=f"{first.lower()}.{last.lower()}.{number}@example.net",
        full_name=f"{first} {last}",
        phone=phone,
        postal_address=f"{rng.randint(1, 200)} Jalan Mawar\nJakarta {10000 + number % 9000}"
        if rng.random() < 0.5
        else None,
    )


def _write_customers(customers: list[Customer], rng: random.Random) -> None:
    notices = current_notices()
    with transaction.atomic(), transaction.atomic(using=KEYS_DB):
        DataKey.objects.bulk_create([new_data_key(customer.pk) for customer in customers])
        Customer.objects.bulk_create(customers)
        choices = [
            (customer, code, granted)
            for customer in customers
            for code, granted in (
                {"account": True}
                | {code: rng.random() < rate for code, rate in CONSENT_RATES.items()}
            ).items()
        ]
        events = ConsentEvent.objects.bulk_create(
            ConsentEvent(
                customer=customer,
                purpose_id=code,
                notice=notices[code],
                granted=granted,
                source=ConsentSource.IMPORT,
                actor=ACTOR,
                # Synthetic people confirmed their double opt-ins, as the ledger requires.
                **confirmation_fields(granted and needs_confirmation(code), SYNTHETIC),
            )
            for customer, code, granted in choices
        )
        ConsentState.objects.bulk_create(
            ConsentState(
                customer_id=event.customer_id,
                purpose_id=event.purpose_id,
                granted=event.granted,
                notice=event.notice,
                event=event,
                updated_at=event.occurred_at,
            )
            for event in events
        )


def ensure_customers(
    count: int, seed: int, progress: Callable[[str], None]
) -> tuple[list[uuid.UUID], int]:
    """Customers gen-0000001..count; returns their ids in number order and how many
    were created now."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    existing = _existing(range(1, count + 1))
    created = 0
    for start in range(1, count + 1, BATCH):
        missing = [n for n in range(start, min(start + BATCH, count + 1)) if n not in existing]
        if not missing:
            continue
        with key_scope():
            batch = [_customer(n, rng) for n in missing]
            _write_customers(batch, rng)
        existing.update(zip(missing, (customer.pk for customer in batch), strict=True))
        created += len(batch)
        progress(f"customers {min(start + BATCH - 1, count):,}/{count:,}")
    return [existing[n] for n in range(1, count + 1)], created


def _day_weights(now: datetime) -> np.ndarray:
    """How likely an order falls on each of the last HISTORY_DAYS days (seasons)."""
    months = [(now - timedelta(days=day)).month - 1 for day in range(HISTORY_DAYS)]
    weights = np.array(SEASON)[months]
    return weights / weights.sum()


def generate_purchases(
    total: int,
    customer_ids: list[uuid.UUID],
    product_ids: list[int],
    seed: int,
    progress: Callable[[str], None],
) -> int:
    """`total` purchase lines in orders of 1-5 lines; returns how many were added."""
    already = Purchase.objects.filter(order_id__startswith="gen-o-").count()
    if already >= total:
        return 0
    rng = np.random.default_rng(seed + 1)
    now = timezone.now()
    n_products = len(product_ids)
    # Popularity: Zipf-like weights over the catalogue (rank 1 sells most).
    popularity = 1.0 / np.arange(1, n_products + 1) ** 1.05
    popularity /= popularity.sum()
    # Activity: Pareto weights over customers (heavy buyers).
    activity = rng.pareto(1.3, size=len(customer_ids)) + 0.05
    activity /= activity.sum()
    day_weights = _day_weights(now)
    prices = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "price"))
    categories = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "category"))
    product_category = np.array([names_index(categories[pk]) for pk in product_ids])
    members = {code: np.flatnonzero(product_category == code) for code in range(len(CATEGORIES))}
    member_weights = {
        code: popularity[rows] / popularity[rows].sum()
        for code, rows in members.items()
        if len(rows)
    }
    pks = np.array(product_ids)
    price_text = np.array([str(prices[pk]) for pk in product_ids], dtype=object)
    customer_text = np.array([str(pk) for pk in customer_ids], dtype=object)
    # Each customer's favourite category, drawn once.
    favourite = rng.choice(sorted(member_weights), size=len(customer_ids))
    created = now.isoformat()

    written, order_number = already, already
    columns = ["customer_id", "order_id", "product_id", "quantity", "unit_price",
               "purchased_at", "created_at"]  # fmt: skip
    table = Purchase._meta.db_table
    while written < total:
        # One chunk of orders, every draw vectorised.
        orders = max(1, min(100_000, (total - written) // 3 + 1))
        buyers = rng.choice(len(customer_ids), size=orders, p=activity)
        sizes = rng.integers(1, 6, size=orders)
        days = rng.choice(HISTORY_DAYS, size=orders, p=day_weights)
        seconds = rng.integers(0, 86400, size=orders)
        order_of_line = np.repeat(np.arange(orders), sizes)
        picks = rng.choice(n_products, size=len(order_of_line), p=popularity)
        from_favourite = rng.random(len(order_of_line)) < 0.7
        line_favourite = favourite[buyers[order_of_line]]
        for code, rows in members.items():
            chosen = np.flatnonzero(from_favourite & (line_favourite == code))
            if len(chosen) and len(rows):
                picks[chosen] = rng.choice(rows, size=len(chosen), p=member_weights[code])
        # One line per (order, product); then no more lines than asked for.
        _, first = np.unique(order_of_line * n_products + picks, return_index=True)
        first = np.sort(first)[: total - written]
        quantities = rng.integers(1, 3, size=len(first))
        stamps = [
            (now - timedelta(days=int(day), seconds=int(second))).isoformat()
            for day, second in zip(days, seconds, strict=True)
        ]
        buffer = io.StringIO()
        for line, quantity in zip(first, quantities, strict=True):
            order = order_of_line[line]
            product = picks[line]
            buffer.write(
                f"{customer_text[buyers[order]]}\tgen-o-{order_number + order:09d}\t"
                f"{pks[product]}\t{quantity}\t{price_text[product]}\t{stamps[order]}\t"
                f"{created}\n"
            )
        _copy(table, columns, buffer.getvalue())
        order_number += orders
        written += len(first)
        progress(f"purchases {written:,}/{total:,}")
    return written - already


def names_index(category: str) -> int:
    return list(CATEGORIES).index(category) if category in CATEGORIES else -1


def _copy(table: str, columns: list[str], data: str) -> None:
    if connection.vendor == "postgresql":
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(data)
        return
    rows = [line.split("\t") for line in data.splitlines()]
    Purchase.objects.bulk_create(
        [
            Purchase(
                customer_id=row[0],
                order_id=row[1],
                product_id=int(row[2]),
                quantity=int(row[3]),
                unit_price=Decimal(row[4]),
                purchased_at=datetime.fromisoformat(row[5]),
            )
            for row in rows
        ],
        batch_size=2000,
    )


def generate(
    *, customers: int, products: int, purchases: int, seed: int = 7,
    progress: Callable[[str], None] = lambda message: None,
) -> DatasetResult:  # fmt: skip
    result = DatasetResult()
    product_ids = ensure_products(products, np.random.default_rng(seed))
    result.products = len(product_ids)
    progress(f"products {len(product_ids):,}")
    customer_ids, result.customers = ensure_customers(customers, seed, progress)
    if customer_ids and product_ids:
        result.purchases = generate_purchases(purchases, customer_ids, product_ids, seed, progress)
    return result
