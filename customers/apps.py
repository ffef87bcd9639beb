from django.apps import AppConfig
from django.conf import settings


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from customers.models import Customer, EmailChange, Interaction, Purchase
        from vault import registry

        registry.register(
            Customer,
            subject="id",
            category="profile",
            fields=("external_id", "email", "full_name", "phone", "postal_address"),
        )
        registry.register(
            Purchase,
            subject="customer",
            category="purchases",
            fields=(
                "order_id",
                "product__sku",
                "product__name",
                "quantity",
                "returned_quantity",
                "unit_price",
                "purchased_at",
            ),
            erasure=registry.Erasure.PSEUDONYMIZE,
            legal_hold="Invoice lines are kept for tax law; erasure unlinks them from you.",
            hold_days=settings.INVOICE_HOLD_DAYS,
        )
        registry.register(
            Interaction,
            subject="customer_id",
            category="interactions",
            fields=("channel", "kind", "note", "occurred_at"),
        )
        # An address the customer asked to change to, until they confirm it.
        registry.register(
            EmailChange,
            subject="customer_id",
            category="profile",
            fields=("new_email", "created_at", "expires_at"),
        )
