"""Demo data: a catalogue, customers with varied consents, purchases with category
affinities. Bulk paths (one insert per table per batch) so 100,000 customers take
minutes; every value passes the same validation as the services use.

External ids are deterministic ("demo-000042"), so seeding again adds only the
customers that are missing and never duplicates one.
"""

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from consent.evidence import Confirmation
from consent.models import ConsentEvent, ConsentSource, ConsentState
from consent.selectors import current_notices
from consent.services import confirmation_fields, needs_confirmation
from customers import validation
from customers.models import Customer, Product, Purchase
from customers.name_index import index_names
from vault.keys import new_data_key
from vault.models import DataKey
from vault.routers import KEYS_DB
from vault.services import key_scope

ACTOR = "system:seed_demo"
DEMO_CONFIRMATION = Confirmation(datetime(2026, 1, 1, tzinfo=UTC), "demo")
CATEGORIES = {
    "books": ["Novel", "Cookbook", "Atlas", "Biography", "Poetry collection"],
    "music": ["Vinyl record", "Headphones", "Ukulele", "Songbook"],
    "garden": ["Trowel", "Seed kit", "Watering can", "Planter"],
    "kitchen": ["Teapot", "Chef's knife", "Mixing bowl", "Spice rack"],
    "toys": ["Puzzle", "Wooden train", "Board game", "Kite"],
    "sports": ["Yoga mat", "Running socks", "Water bottle", "Tennis balls"],
    "beauty": ["Hand cream", "Lip balm", "Face oil"],
    "health": ["Vitamin D", "Pregnancy test", "Blood pressure monitor"],
}
PRODUCTS_PER_NAME = 3
CONSENT_RATES = {
    "personalization": 0.7,
    "marketing_email": 0.4,
    "marketing_post": 0.15,
    "marketing_phone": 0.1,
    "analytics": 0.5,
}


@dataclass(frozen=True)
class SeedResult:
    created: int
    skipped: int
    purchases: int


def external_id(number: int) -> str:
    return f"demo-{number:06d}"


def ensure_catalogue(rng: random.Random) -> list[Product]:
    products = []
    for category, names in CATEGORIES.items():
        for position, name in enumerate(names, start=1):
            for variant in range(1, PRODUCTS_PER_NAME + 1):
                sku = f"DEMO-{category[:3].upper()}-{position:02d}-{variant}"
                products.append(
                    Product(
                        sku=sku,
                        name=f"{name} {variant}",
                        category=category,
                        price=Decimal(rng.randrange(199, 8999)) / 100,
                    )
                )
    Product.objects.bulk_create(products, ignore_conflicts=True)
    return list(Product.objects.filter(sku__in=[product.sku for product in products]))


def existing_numbers(numbers: range) -> set[int]:
    field = Customer._meta.get_field("external_id_index")
    digests = {field.digest(external_id(number)): number for number in numbers}
    found: set[int] = set()
    keys = list(digests)
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        for digest in Customer.objects.filter(external_id_index__in=chunk).values_list(
            "external_id_index", flat=True
        ):
            found.add(digests[digest])
    return found


def _phone(rng: random.Random) -> str:
    # UK mobile numbers; not every block is allocated, so draw until one is valid.
    while True:
        try:
            return validation.clean_phone(f"+447{rng.randint(5, 9)}{rng.randrange(10**8):08d}")
        except ValidationError:
            continue


def _customer(fake: Faker, rng: random.Random, number: int) -> Customer:
    first, last = fake.first_name(), fake.last_name()
    local = f"{slugify(first)}.{slugify(last)}.{number}"
    email = validation.clean_email(f"{local}@{fake.free_email_domain()}")
    return Customer(
        id=uuid.uuid4(),
        external_id=external_id(number),
        email=email,
        full_name=f"{first} {last}",
        phone=_phone(rng) if rng.random() < 0.8 else None,
        postal_address=fake.address() if rng.random() < 0.6 else None,
    )


def _purchases(
    rng: random.Random, customer: Customer, number: int, by_category: dict[str, list[Product]]
) -> Iterator[Purchase]:
    favourites = rng.sample(sorted(by_category), k=2)
    now = timezone.now()
    for order in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 6])):
        purchased_at = now - timedelta(minutes=rng.randrange(1, 730 * 24 * 60))
        lines = rng.randint(1, 4)
        category = rng.choice(favourites) if rng.random() < 0.75 else rng.choice(list(by_category))
        chosen = {rng.choice(by_category[category]) for _ in range(lines)}
        for product in chosen:
            yield Purchase(
                customer=customer,
                order_id=f"demo-o-{number:06d}-{order}",
                product=product,
                quantity=rng.randint(1, 3),
                unit_price=product.price,
                purchased_at=purchased_at,
            )


def _consent_choices(rng: random.Random) -> dict[str, bool]:
    return {"account": True} | {code: rng.random() < rate for code, rate in CONSENT_RATES.items()}


def _write_batch(customers: list[Customer], purchases: list[Purchase], rng: random.Random) -> None:
    notices = current_notices()
    with transaction.atomic(), transaction.atomic(using=KEYS_DB):
        DataKey.objects.bulk_create([new_data_key(customer.pk) for customer in customers])
        Customer.objects.bulk_create(customers)
        index_names(customers)  # the call centre finds demo callers by name too
        events = ConsentEvent.objects.bulk_create(
            ConsentEvent(
                customer=customer,
                purpose_id=code,
                notice=notices[code],
                granted=granted,
                source=ConsentSource.IMPORT,
                actor=ACTOR,
                # Demo people confirmed their double opt-ins, as the ledger requires.
                **confirmation_fields(granted and needs_confirmation(code), DEMO_CONFIRMATION),
            )
            for customer in customers
            for code, granted in _consent_choices(rng).items()
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
        Purchase.objects.bulk_create(purchases, batch_size=2000, ignore_conflicts=True)


def seed(
    *,
    customers: int,
    seed: int = 42,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    rng = random.Random(seed)
    fake = Faker(["en_GB", "en_US", "de_DE", "fr_FR"])
    fake.seed_instance(seed)
    by_category: dict[str, list[Product]] = {}
    for product in ensure_catalogue(rng):
        by_category.setdefault(product.category, []).append(product)

    wanted = range(1, customers + 1)
    skip = existing_numbers(wanted)
    missing = [number for number in wanted if number not in skip]
    created = purchases = 0
    for start in range(0, len(missing), batch_size):
        with key_scope():
            batch = [_customer(fake, rng, number) for number in missing[start : start + batch_size]]
            lines = [
                line
                for customer, number in zip(batch, missing[start : start + batch_size], strict=True)
                for line in _purchases(rng, customer, number, by_category)
            ]
            _write_batch(batch, lines, rng)
        created += len(batch)
        purchases += len(lines)
        if progress:
            progress(created, len(missing))
    return SeedResult(created=created, skipped=len(skip), purchases=purchases)


PORTAL_DEMO_EMAIL = "customer@demo.example"
PORTAL_DEMO_EXTERNAL_ID = "demo-portal"


def ensure_portal_customer() -> tuple[Customer, bool]:
    """One demo customer with a known address, for trying the portal: created through
    the services (keys, consents, audit) with a few orders; (customer, created)."""
    from customers.selectors import customer_by_external_id
    from customers.services import PurchaseLine, create_customer, record_purchases

    existing = customer_by_external_id(PORTAL_DEMO_EXTERNAL_ID)
    if existing:
        return existing, False
    customer = create_customer(
        external_id=PORTAL_DEMO_EXTERNAL_ID,
        email=PORTAL_DEMO_EMAIL,
        full_name="Dewi Lestari",
        phone="+62 21 5550 1234",
        postal_address="Jl. Merdeka 10\nJakarta 10110",
        consents={"account": True, "personalization": True, "marketing_email": False},
        actor=ACTOR,
        source=ConsentSource.IMPORT,
    )
    products = list(Product.objects.filter(category__in=["kitchen", "garden"]).order_by("sku"))
    now = timezone.now()
    lines = [
        PurchaseLine(
            customer.pk,
            f"demo-portal-{order}",
            product.sku,
            1,
            product.price,
            now - timedelta(days=30 * (order + 1)),
        )
        for order, chunk in enumerate([products[0:2], products[12:14], products[20:21]])
        for product in chunk
    ]
    record_purchases(lines=lines, actor=ACTOR)
    return customer, True
