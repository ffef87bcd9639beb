"""Staff reads: search by phone through its blind index, keyset pages that neither skip
nor repeat a customer, filters on non-sensitive facts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from consent.evidence import Confirmation
from consent.services import set_consent
from customers.models import Customer
from customers.selectors import (
    CustomerFilters,
    customer_page,
    customers_by_phone,
    decode_cursor,
    filtered_customers,
)
from customers.services import PurchaseLine, record_purchases, update_customer

pytestmark = pytest.mark.django_db(databases="__all__")


def test_customers_are_found_by_phone_through_a_blind_index(make_customer):
    household = [make_customer(phone="+44 20 7946 0123") for _ in range(2)]
    make_customer(phone="+44 20 7946 0999")
    found = customers_by_phone("+442079460123")
    assert {c.pk for c in found} == {c.pk for c in household}
    stored = Customer.objects.filter(pk=household[0].pk).values_list("phone_index", flat=True)[0]
    assert "7946" not in stored and len(stored) == 64


def test_changing_a_phone_moves_its_index(customer):
    update_customer(customer=customer, actor="staff:1", phone="+44 20 7946 0555")
    assert [c.pk for c in customers_by_phone("+442079460555")] == [customer.pk]
    assert customers_by_phone("+442079460000") == []


def test_keyset_pages_cover_every_customer_once_in_newest_first_order(make_customer):
    made = [make_customer() for _ in range(7)]
    # Several customers in the same instant: the id breaks the tie.
    Customer.objects.filter(pk__in=[c.pk for c in made[:4]]).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    seen, cursor = [], ""
    while True:
        page = customer_page(filtered_customers(CustomerFilters()), cursor=cursor, size=3)
        seen += [row.id for row in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = list(Customer.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert seen == expected and len(seen) == 7


def test_a_tampered_cursor_starts_from_the_first_page(make_customer):
    make_customer()
    assert decode_cursor("not-a-cursor") is None
    page = customer_page(filtered_customers(CustomerFilters()), cursor="not-a-cursor")
    assert len(page.rows) == 1


def test_filters_on_consent_category_and_purchases(make_customer, make_product):
    book, tool = make_product(category="books"), make_product(category="garden")
    reader, gardener, idle = make_customer(), make_customer(), make_customer()
    now = timezone.now()
    record_purchases(
        lines=[
            PurchaseLine(reader.pk, "o-1", book.sku, 1, Decimal("5"), now - timedelta(days=400)),
            PurchaseLine(gardener.pk, "o-2", tool.sku, 1, Decimal("5"), now - timedelta(days=2)),
        ],
        actor="system",
    )
    set_consent(
        customer=gardener,
        purpose="marketing_email",
        granted=True,
        source="api",
        actor="t",
        confirmation=Confirmation(now, "email_link"),
    )

    def ids(**filters):
        return set(filtered_customers(CustomerFilters(**filters)).values_list("pk", flat=True))

    assert ids(category="books") == {reader.pk}
    assert ids(consent_purpose="marketing_email", consent_granted=True) == {gardener.pk}
    assert ids(consent_purpose="marketing_email", consent_granted=False) == {reader.pk, idle.pk}
    since = (now - timedelta(days=30)).date()
    assert ids(purchased_since=since) == {gardener.pk}
    assert ids(no_purchase_since=since) == {reader.pk, idle.pk}
    assert ids(joined_from=now.date(), joined_to=now.date()) == {reader.pk, gardener.pk, idle.pk}
    assert ids(joined_to=(now - timedelta(days=1)).date()) == set()
