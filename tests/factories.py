"""factory_boy factories. Customers are made through the service, so every test
customer has a data key and recorded consents, as real ones do."""

import factory
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record_event, staff_actor
from consent.evidence import Confirmation
from consent.services import needs_confirmation
from customers.models import Customer, Product
from customers.services import create_customer


class CustomerFactory(factory.Factory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"shop-{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    phone = "+44 20 7946 0000"
    postal_address = factory.Faker("address")
    consents = factory.LazyFunction(lambda: {"account": True, "personalization": True})

    @classmethod
    def _create(cls, model_class, **kwargs):
        # A test customer granted a double opt-in purpose has confirmed it, as real ones
        # have (tests of the confirmation itself go through the surfaces).
        if any(
            granted and needs_confirmation(code) for code, granted in kwargs["consents"].items()
        ):
            kwargs.setdefault("confirmation", Confirmation(timezone.now(), "test_fixture"))
        return create_customer(actor="system", **kwargs)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Faker("catch_phrase")
    category = "books"
    price = "12.50"


def staff_access(
    user,
    customer,
    *,
    action=AuditAction.CUSTOMER_REVEALED,
    purpose="ticket:1",
    fields="email",
    **metadata,
):
    """An audit row of a support agent's look at a customer, as the dashboard records it
    (`metadata` adds to the row's, e.g. review="break_glass")."""
    with transaction.atomic():
        return record_event(
            actor=staff_actor(user.pk),
            action=action,
            object_type="customers.customer",
            object_id=customer.pk,
            subject_id=customer.pk,
            purpose=purpose,
            metadata={"fields": fields, "role": "support_agent", **metadata},
        )
