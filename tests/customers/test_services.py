import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from consent.models import ConsentEvent
from consent.selectors import current_consents
from customers.exceptions import BatchValidationError, DuplicateCustomer
from customers.models import Customer, Product, Purchase
from customers.selectors import customer_by_email
from customers.services import (
    PurchaseLine,
    create_customer,
    record_purchases,
    update_customer,
    upsert_product,
)
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _line(customer, product, order_id="o-1", **overrides) -> PurchaseLine:
    values = {
        "customer_id": customer.pk,
        "order_id": order_id,
        "sku": product.sku,
        "quantity": 1,
        "unit_price": Decimal("12.50"),
        "purchased_at": WHEN,
    }
    return PurchaseLine(**{**values, **overrides})


def test_creating_a_customer_stores_profile_consents_key_and_audit_event():
    customer = create_customer(
        external_id="shop-1",
        email="Ada@Example.com",
        full_name="Ada Lovelace",
        phone="+44 20 7946 0000",
        consents={"account": True, "personalization": True, "marketing_email": False},
        actor="api-key:abc",
    )
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.email, stored.phone, stored.full_name) == (
        "ada@example.com",
        "+442079460000",
        "Ada Lovelace",
    )
    consents = current_consents(customer.pk)
    assert consents["account"].granted and consents["personalization"].granted
    assert not consents["marketing_email"].granted
    assert consents["marketing_email"].notice_version == 1
    assert ConsentEvent.objects.filter(customer=customer).count() == 3
    assert DataKey.objects.filter(subject_id=customer.pk).exists()
    event = AuditEvent.objects.get(action="customer.created")
    assert (event.actor, event.subject_id) == ("api-key:abc", customer.pk)


def test_a_customer_without_account_consent_is_not_stored():
    with pytest.raises(ValidationError) as caught:
        create_customer(
            external_id="shop-1",
            email="ada@example.com",
            consents={"account": False, "marketing_email": True},
            actor="system",
        )
    assert "account consent" in caught.value.message_dict["consents"][0]
    assert not Customer.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not DataKey.objects.exists()


def test_bad_email_and_phone_get_clear_field_messages_that_do_not_echo_the_value():
    with pytest.raises(ValidationError) as caught:
        create_customer(
            external_id="shop-1",
            email="not-an-email",
            phone="12345",
            consents={"account": True},
            actor="system",
        )
    errors = caught.value.message_dict
    assert errors["email"] == ["Enter a valid email address."]
    assert "country code" in errors["phone"][0]
    assert "not-an-email" not in str(errors) and "12345" not in str(errors)
    assert not Customer.objects.exists()


def test_a_number_that_parses_but_cannot_exist_is_refused():
    with pytest.raises(ValidationError) as caught:
        create_customer(
            external_id="shop-1",
            email="a@example.com",
            phone="+44 1",
            consents={"account": True},
            actor="system",
        )
    assert "phone" in caught.value.message_dict


def test_unknown_purposes_and_non_boolean_choices_are_named():
    with pytest.raises(ValidationError) as caught:
        create_customer(
            external_id="shop-1",
            email="a@example.com",
            consents={"account": True, "telepathy": True, "marketing_post": "yes"},
            actor="system",
        )
    assert caught.value.message_dict["consents"] == [
        "Unknown purpose: telepathy.",
        "The choice for marketing_post must be true or false.",
    ]


def test_email_and_external_id_are_unique_through_the_blind_index(make_customer):
    make_customer(email="ada@example.com", external_id="shop-1")
    with pytest.raises(DuplicateCustomer) as caught:
        make_customer(email="ADA@example.com ", external_id="shop-2")
    assert caught.value.field == "email"
    with pytest.raises(DuplicateCustomer) as caught:
        make_customer(email="other@example.com", external_id="shop-1")
    assert caught.value.field == "external_id"
    assert Customer.objects.count() == 1


def test_updating_the_email_moves_its_index(make_customer):
    customer = make_customer(email="old@example.com")
    update_customer(customer=customer, email="New@example.com", phone=None, actor="staff:1")
    assert customer_by_email("new@example.com") == customer
    assert customer_by_email("old@example.com") is None
    reloaded = Customer.objects.get(pk=customer.pk)
    assert reloaded.phone is None
    assert AuditEvent.objects.get(action="customer.updated").metadata == {"fields": "email,phone"}


def test_updating_to_another_customers_email_is_a_duplicate_and_changes_nothing(make_customer):
    make_customer(email="taken@example.com")
    customer = make_customer(email="mine@example.com")
    with pytest.raises(DuplicateCustomer):
        update_customer(customer=customer, email="taken@example.com", actor="staff:1")
    assert Customer.objects.get(pk=customer.pk).email == "mine@example.com"


def test_an_update_with_bad_values_names_each_field(customer):
    with pytest.raises(ValidationError) as caught:
        update_customer(customer=customer, email="nope", phone="+1", actor="staff:1")
    assert set(caught.value.message_dict) == {"email", "phone"}


def test_purchases_are_idempotent_on_order_and_sku(customer, make_product):
    book, pen = make_product(sku="BK-1"), make_product(sku="PEN-1")
    lines = [_line(customer, book), _line(customer, pen), _line(customer, book)]
    assert record_purchases(lines=lines, actor="system").__dict__ == {
        "created": 2,
        "duplicates": 1,
        "outcomes": ("created", "created", "duplicate"),
    }
    again = record_purchases(lines=lines[:2], actor="system")
    assert (again.created, again.duplicates) == (0, 2)
    assert Purchase.objects.count() == 2


def test_a_batch_with_a_bad_line_names_its_index_and_stores_nothing(customer, product):
    lines = [
        _line(customer, product, order_id="o-1"),
        _line(customer, product, order_id="o-2", sku="NOPE"),
        _line(customer, product, order_id="o-3", customer_id=uuid.uuid4(), quantity=0),
    ]
    with pytest.raises(BatchValidationError) as caught:
        record_purchases(lines=lines, actor="system")
    assert set(caught.value.errors) == {1, 2}
    assert caught.value.errors[1] == {"sku": ["No product with this sku."]}
    assert set(caught.value.errors[2]) == {"customer", "quantity"}
    assert not Purchase.objects.exists()


def test_products_are_upserted_by_sku():
    product, created = upsert_product(
        sku="BK-1", name="Notes", category="books", price=Decimal("12.50"), actor="system"
    )
    assert created
    again, created = upsert_product(
        sku="BK-1", name="Notes, 2nd ed.", category="books", price=Decimal("14.00"), actor="system"
    )
    assert not created and again.pk == product.pk
    assert Product.objects.get().name == "Notes, 2nd ed."


def test_a_negative_price_is_refused():
    with pytest.raises(ValidationError) as caught:
        upsert_product(sku="X", name="X", category="books", price=Decimal("-1"), actor="system")
    assert "price" in caught.value.message_dict
