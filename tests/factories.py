"""factory_boy factories. Customers are made through the service, so every test
customer has a data key and recorded consents, as real ones do."""

import factory

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
        return create_customer(actor="system", **kwargs)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Faker("catch_phrase")
    category = "books"
    price = "12.50"
