import io

import phonenumbers
import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from consent.models import ConsentEvent, ConsentState
from customers.models import Customer, Purchase
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")


def _seed(count: int) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--customers", str(count), "--batch-size", "10", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_readable_customers_with_keys_consents_and_purchases():
    output = _seed(25)
    assert "customers 20/25" in output  # progress
    assert Customer.objects.count() == DataKey.objects.count() == 25
    assert ConsentState.objects.filter(purpose="account", granted=True).count() == 25
    granted = ConsentState.objects.filter(purpose="personalization", granted=True).count()
    assert 0 < granted < 25
    assert Purchase.objects.values("customer").distinct().count() > 10
    for customer in Customer.objects.all():
        assert customer.external_id.startswith("demo-")
        assert "@" in customer.email
        if customer.phone:
            assert phonenumbers.is_valid_number(phonenumbers.parse(customer.phone))
    assert AuditEvent.objects.get(action="demo.seeded").metadata["customers"] == 25


def test_seeding_again_adds_only_what_is_missing():
    _seed(12)
    assert "0 customers added" in _seed(12)
    assert Customer.objects.count() == 12
    _seed(15)
    assert Customer.objects.count() == 15


def test_the_portal_demo_customer_is_made_once_with_purchases():
    out = io.StringIO()
    call_command("seed_demo", "--customers", "5", "--portal-customer", stdout=out)
    call_command("seed_demo", "--customers", "5", "--portal-customer", stdout=out)
    customer = Customer.objects.get(external_id_index=Customer._meta.get_field(
        "external_id_index").digest("demo-portal"))  # fmt: skip
    assert customer.email == "customer@demo.example"
    assert Purchase.objects.filter(customer=customer).count() == 5
    assert "sign in as customer@demo.example" in out.getvalue()


def test_demo_double_opt_ins_carry_their_confirmation():
    _seed(25)
    granted = ConsentEvent.objects.filter(purpose="marketing_email", granted=True)
    assert granted.exists()
    assert not granted.filter(confirmed_at=None).exists()
    assert set(granted.values_list("confirmation_method", flat=True)) == {"demo"}
