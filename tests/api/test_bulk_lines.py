"""The compiled fast path for purchase lines (api/bulk_lines.py) says exactly what DRF's
serializer says: the same values for every line it accepts, and DRF's own messages for
every line it does not. The API's 400 body is then unchanged (API_CONTRACT.md)."""

import json
import uuid

import pytest
from django.utils import timezone

from api.bulk_lines import validate_lines
from api.strict import validate_items
from api.views.purchases import PurchaseLineSerializer
from audit.models import AuditEvent
from customers.models import Purchase

pytestmark = pytest.mark.django_db(databases="__all__")

CUSTOMER = "6b1d1f7e-8d4c-4a43-9d5e-2b8e0b4f9c11"
GOOD = {
    "customer": CUSTOMER,
    "order_id": "o-1",
    "sku": "BK-1",
    "quantity": 2,
    "unit_price": "12.50",
    "purchased_at": "2026-11-20T10:00:00Z",
}
# Each a variation of GOOD: plain forms the fast path takes, and every odd or wrong
# form it must leave to DRF (so their values or messages are DRF's).
VARIATIONS = [
    {},
    {"unit_price": "12.5"},
    {"unit_price": 12},
    {"unit_price": 12.5},
    {"unit_price": "0"},
    {"unit_price": " 12.50"},
    {"unit_price": "1e3"},
    {"unit_price": "12.505"},
    {"unit_price": "123456789"},
    {"unit_price": "00000001.00"},
    {"unit_price": "-1"},
    {"unit_price": "NaN"},
    {"unit_price": True},
    {"unit_price": None},
    {"quantity": 0},
    {"quantity": 1_000_001},
    {"quantity": "1"},
    {"quantity": 1.0},
    {"quantity": True},
    {"customer": CUSTOMER.upper()},
    {"customer": CUSTOMER.replace("-", "")},
    {"customer": "{" + CUSTOMER + "}"},
    {"customer": "urn:uuid:" + CUSTOMER},
    {"customer": "not-a-uuid"},
    {"customer": 5},
    {"customer": None},
    {"customer_external_id": "shop-9"},
    {"customer": None, "customer_external_id": "shop-9"},
    {"order_id": " o-1 "},
    {"order_id": "   "},
    {"order_id": ""},
    {"order_id": "o\x001"},
    {"order_id": "o\ud8001"},
    {"order_id": "\x1co-1"},
    {"order_id": "line\nbreak"},
    {"order_id": "o" * 100},
    {"order_id": "o" * 101},
    {"order_id": 7},
    {"sku": "S" * 65},
    {"sku": "Müsli-ß"},
    {"purchased_at": "2026-11-20T10:00:00+07:00"},
    {"purchased_at": "2026-11-20T10:00+07:00"},
    {"purchased_at": "2026-11-20T10:00:00.123456-03:30"},
    {"purchased_at": "2026-11-20 10:00:00Z"},
    {"purchased_at": "2026-11-20T10:00:00"},
    {"purchased_at": "2026-02-30T10:00:00Z"},
    {"purchased_at": "2026-11-20T10:00:00+24:00"},
    {"purchased_at": "0001-01-01T00:00:00+01:00"},
    {"purchased_at": "20261120T100000Z"},
    {"purchased_at": 1700000000},
    {"colour": "red"},
]


def _variant(number: int, change: dict) -> dict:
    line = {**GOOD, "order_id": f"o-{number}", **change}
    if "customer_external_id" in change and "customer" not in change:
        del line["customer"]
    return line


def _as_json(items: list) -> list:
    return json.loads(json.dumps(items))


def test_the_fast_path_gives_drfs_values_and_messages_for_every_line():
    items = _as_json([_variant(number, change) for number, change in enumerate(VARIATIONS)])
    items += [{key: value for key, value in GOOD.items() if key != "quantity"}]
    items += ["not an object", [GOOD]]
    assert validate_lines(PurchaseLineSerializer, items) == validate_items(
        PurchaseLineSerializer, items
    )


def test_plain_lines_never_reach_drf_and_come_out_as_drf_would_give_them(monkeypatch):
    items = _as_json([_variant(number, {}) for number in range(500)])
    slow = validate_items(PurchaseLineSerializer, items)

    def refused(*args):
        raise AssertionError("a plain line went to DRF")

    monkeypatch.setattr("api.bulk_lines.validate_items", refused)
    fast = validate_lines(PurchaseLineSerializer, items)
    assert fast == slow and len(fast[0]) == 500 and not fast[1]
    assert fast[0][0]["customer"] == uuid.UUID(CUSTOMER)
    assert fast[0][0]["purchased_at"].tzinfo == timezone.get_current_timezone()


def test_a_batch_is_written_with_one_audit_row_per_customer(client, make_customer, make_product):
    first, second = make_customer(), make_customer()
    make_product(sku="BK-1")
    batch = [
        {**GOOD, "customer": str(customer.pk), "order_id": f"o-{number}"}
        for number, customer in enumerate([first, second, first])
    ]
    response = client.post("/api/v1/purchases/", batch, format="json")
    assert response.status_code == 201 and response.json()["created"] == 3
    stored = Purchase.objects.order_by("order_id")
    assert [(p.customer_id, p.quantity, str(p.unit_price)) for p in stored] == [
        (first.pk, 2, "12.50"),
        (second.pk, 2, "12.50"),
        (first.pk, 2, "12.50"),
    ]
    assert all(p.returned_quantity == 0 and p.created_at is not None for p in stored)
    events = AuditEvent.objects.filter(action="purchases.recorded")
    assert sorted((e.subject_id == first.pk, e.metadata["lines"]) for e in events) == [
        (False, 1),
        (True, 2),
    ]
    assert {(e.object_type, e.object_id, e.purpose) for e in events} == {
        ("customers.customer", str(first.pk), "account"),
        ("customers.customer", str(second.pk), "account"),
    }
