"""Customer reads shared by the surfaces: lookups by id or through the blind indexes."""

import base64
import binascii
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from access.policy import category_filter_errors, filterable_categories
from consent.models import ConsentState
from customers.models import Customer, Interaction, Product, Purchase
from runtime.replica import primary_reads
from vault.services import destroyed_among

# check(ids) -> those of ids whose erasure has started. disposal registers one in its
# AppConfig, so that customers' own services (purchases, consents) can refuse a customer
# who is being erased without importing disposal.
_erasure_checks: list[Callable[[set[uuid.UUID]], set[uuid.UUID]]] = []


def register_erasure_check(check: Callable[[set[uuid.UUID]], set[uuid.UUID]]) -> None:
    if check not in _erasure_checks:
        _erasure_checks.append(check)


def live_customer_ids(customer_ids: Iterable, *, rows_loaded: bool = False) -> set[uuid.UUID]:
    """Those of the ids that name a live customer: the row exists, the data key is not
    destroyed and no erasure has started (pending, running, or failed and waiting for an
    operator). The one rule behind every "live customer or 404" check; surfaces call
    `disposal.selectors.live_customer` for one customer. `rows_loaded`: the caller has
    just read these customers' rows, so their existence is not asked again."""
    wanted = set()
    for customer_id in customer_ids:
        if isinstance(customer_id, uuid.UUID):  # as services pass them: no round trip via str
            wanted.add(customer_id)
            continue
        try:
            wanted.add(uuid.UUID(str(customer_id)))
        except ValueError:
            continue
    with primary_reads():  # never a lagging replica: erased a second ago is erased
        found = (
            wanted
            if rows_loaded
            # No order_by: the model's default ordering would sort 500 ids for a set.
            else set(
                Customer.objects.filter(pk__any_of=wanted).order_by().values_list("pk", flat=True)
            )
        )
        if not found:
            return found
        gone = destroyed_among(found)
        for check in _erasure_checks:
            gone |= check(found - gone)
    return found - gone


def customer_by_email(email: str) -> Customer | None:
    digests = Customer._meta.get_field("email_index").digests(email)
    return Customer.objects.filter(email_index__in=digests).first()


def customer_by_external_id(external_id: str) -> Customer | None:
    digests = Customer._meta.get_field("external_id_index").digests(external_id)
    return Customer.objects.filter(external_id_index__in=digests).first()


def customer_get(customer_id: uuid.UUID | str) -> Customer | None:
    try:
        return Customer.objects.filter(pk=uuid.UUID(str(customer_id))).first()
    except ValueError:
        return None


def customers_by_phone(phone: str) -> list[Customer]:
    """Customers with this number (already clean E.164); a household may share one."""
    digest = Customer._meta.get_field("phone_index").digest(phone)
    return list(Customer.objects.filter(phone_index=digest).order_by("-created_at", "-id")[:50])


def customers_by_order(order_id: str) -> list[Customer]:
    """The customer(s) an order number belongs to (an order id is not personal data;
    an order is one customer's, but a storefront may reuse ids)."""
    order_id = (order_id or "").strip()
    if not order_id:
        return []
    return list(
        Customer.objects.filter(
            pk__in=Purchase.objects.filter(order_id=order_id).values("customer_id")
        ).order_by("-created_at", "-id")[:50]
    )


def is_restricted(customer_id: uuid.UUID) -> bool:
    """GDPR Art. 18 restriction: campaigns, recommendations and disclosures skip them."""
    return Customer.objects.filter(pk=customer_id, processing_restricted_at__isnull=False).exists()


def unrestricted(queryset: QuerySet) -> QuerySet:
    """Customers a campaign or any other processing may use."""
    return queryset.filter(processing_restricted_at__isnull=True)


@dataclass(frozen=True)
class CustomerFilters:
    """Non-sensitive facts staff may filter on (no personal values)."""

    consent_purpose: str = ""
    consent_granted: bool | None = None
    category: str = ""
    joined_from: date | None = None
    joined_to: date | None = None
    purchased_since: date | None = None
    no_purchase_since: date | None = None
    restricted: bool | None = None


def _day_start(day: date, plus_days: int = 0) -> datetime:
    # Compare the column itself with bounds (not its date), so its index serves.
    start = datetime.combine(day + timedelta(days=plus_days), time.min)
    return timezone.make_aware(start)


def filtered_customers(filters: CustomerFilters) -> QuerySet:
    """Customers matching the filters. A sensitive category is never a filter
    (access.policy): naming one raises ValidationError, whatever the surface sent."""
    queryset = Customer.objects.all()
    if filters.category and (problems := category_filter_errors([filters.category])):
        raise ValidationError({"category": problems})
    if filters.consent_purpose and filters.consent_granted is not None:
        granted = ConsentState.objects.filter(
            customer=OuterRef("pk"), purpose_id=filters.consent_purpose, granted=True
        )
        queryset = queryset.filter(Exists(granted) if filters.consent_granted else ~Exists(granted))
    if filters.category:
        queryset = queryset.filter(
            Exists(
                Purchase.objects.filter(customer=OuterRef("pk"), product__category=filters.category)
            )
        )
    if filters.joined_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.joined_from))
    if filters.joined_to:
        queryset = queryset.filter(created_at__lt=_day_start(filters.joined_to, 1))
    if filters.purchased_since:
        queryset = queryset.filter(
            Exists(
                Purchase.objects.filter(
                    customer=OuterRef("pk"), purchased_at__gte=_day_start(filters.purchased_since)
                )
            )
        )
    if filters.no_purchase_since:
        queryset = queryset.filter(
            ~Exists(
                Purchase.objects.filter(
                    customer=OuterRef("pk"), purchased_at__gte=_day_start(filters.no_purchase_since)
                )
            )
        )
    if filters.restricted is not None:
        queryset = queryset.filter(processing_restricted_at__isnull=not filters.restricted)
    return queryset


@dataclass(frozen=True)
class CustomerRow:
    id: uuid.UUID
    created_at: datetime
    last_purchase_at: datetime | None
    restricted: bool


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    next_cursor: str | None


def encode_cursor(created_at: datetime, customer_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{customer_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, customer_id = raw.split("|")
        return datetime.fromisoformat(stamp), uuid.UUID(customer_id)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None


def customer_page(queryset: QuerySet, *, cursor: str = "", size: int = 50) -> CustomerPage:
    """One page in (created_at, id) descending order, by keyset: the next page starts
    after the last row seen, so page 20,000 costs what page 1 costs (an index range
    scan on customer_keyset_idx). No personal values are read or decrypted."""
    after = decode_cursor(cursor) if cursor else None
    if after:
        stamp, last_id = after
        # "created_at <= stamp" is the index range; the OR only drops the ties seen.
        queryset = queryset.filter(
            Q(created_at__lte=stamp), Q(created_at__lt=stamp) | Q(id__lt=last_id)
        )
    last_purchase = (
        Purchase.objects.filter(customer=OuterRef("pk"))
        .order_by("-purchased_at")
        .values("purchased_at")[:1]
    )
    rows = list(
        queryset.order_by("-created_at", "-id")
        .annotate(last_purchase_at=Subquery(last_purchase))
        .values_list("id", "created_at", "last_purchase_at", "processing_restricted_at")[: size + 1]
    )
    page = [
        CustomerRow(pk, created, last, restricted is not None)
        for pk, created, last, restricted in rows[:size]
    ]
    more = len(rows) > size
    return CustomerPage(page, encode_cursor(page[-1].created_at, page[-1].id) if more else None)


def purchase_categories() -> list[str]:
    """Every category bought from, sensitive ones included (filters use
    `filterable_purchase_categories`)."""
    return list(Product.objects.order_by("category").values_list("category", flat=True).distinct())


def filterable_purchase_categories() -> list[str]:
    """The categories a staff list may filter on: never a sensitive one."""
    return filterable_categories(purchase_categories())


def categories_of(skus: Iterable[str]) -> dict[str, str]:
    """sku -> category of the products named (for masking sensitive ones)."""
    return dict(Product.objects.filter(sku__in=set(skus)).values_list("sku", "category"))


def customers_per_month(months: int = 12) -> list[tuple[date, int]]:
    """New customers per calendar month, oldest first, the last `months` months."""
    today = timezone.localdate()
    start = date(today.year, today.month, 1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    counts = dict(
        Customer.objects.filter(created_at__gte=_day_start(start))
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("id"))
        .values_list("month", "count")
    )
    counts = {
        (month.date() if isinstance(month, datetime) else month): count
        for month, count in counts.items()
    }
    result, month = [], start
    for _ in range(months):
        result.append((month, counts.get(month, 0)))
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def customer_total() -> int:
    return Customer.objects.count()


def purchases_of(customer_id: uuid.UUID):
    """The customer's purchase lines with their products, newest first."""
    return Purchase.objects.filter(customer_id=customer_id).select_related("product")


def interactions_of(customer_id: uuid.UUID):
    """The customer's service interactions, newest first."""
    return Interaction.objects.filter(customer_id=customer_id)
