from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from customers.models import Customer, Interaction, Purchase
        from vault import registry

        registry.register(
            Customer,
            subject="id",
            category="profile",
            fields=("external_id", "email", "full_name", "phone", "postal_address"),
        )
        registry.register(
            Purchase,
            subject="customer_id",
            category="purchases",
            fields=("customer", "order_id", "quantity", "unit_price", "purchased_at"),
        )
        registry.register(
            Interaction,
            subject="customer_id",
            category="interactions",
            fields=("customer", "channel", "note", "occurred_at"),
        )
