"""Restriction of processing (GDPR Art. 18): while it holds, disclosures to processors
and campaign audiences skip the customer; lifting it restores them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from customers.restriction import lift_restriction, restrict_processing
from customers.selectors import CustomerFilters, filtered_customers, unrestricted
from disposal import processors
from disposal.models import Disclosure, Processor

pytestmark = pytest.mark.django_db(databases="__all__")


def test_disclosure_to_a_processor_is_refused_while_restricted(customer):
    processor = processors.save_processor(
        processor=Processor(
            name="Parcel Co",
            agreement_reference="DPA-1",
            agreement_signed_on=date(2026, 1, 1),
            categories=["profile"],
            webhook_url="https://parcel.example/hooks",
        ),
        webhook_secret="whsec-test-0123456789",
    )
    restrict_processing(customer=customer, actor="staff:1")
    with pytest.raises(ValidationError, match="restricted"):
        processors.disclose(
            processor=processor, customer_id=customer.pk, categories=["profile"], actor="staff:1"
        )
    assert not Disclosure.objects.exists()
    lift_restriction(customer=customer, actor="staff:1")
    payload = processors.disclose(
        processor=processor, customer_id=customer.pk, categories=["profile"], actor="staff:1"
    )
    assert "profile" in payload


def test_campaign_audiences_leave_restricted_customers_out(make_customer):
    kept, restricted = make_customer(), make_customer()
    restrict_processing(customer=restricted, actor="staff:1")
    audience = unrestricted(filtered_customers(CustomerFilters()))
    assert set(audience.values_list("pk", flat=True)) == {kept.pk}
