from django.apps import AppConfig
from django.conf import settings


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from customers.models import Customer, EmailChange, Interaction, Purchase
        from customers.name_index import forget_name_tokens, rebuild_name_index
        from vault import registry
        from vault.reindex import register_reindexer

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
            fields=("channel", "kind", "outcome", "note", "occurred_at"),
        )
        # Keyed hashes of the name's tokens (the call centre's name lookup): derived from
        # the name, so erasure forgets them with it (nothing a customer could read in an
        # export: the names themselves are exported with the profile).
        registry.register_forget_handler("customers.name_tokens", forget_name_tokens)
        register_reindexer("customers.name_tokens", rebuild_name_index)
        # An address the customer asked to change to, until they confirm it.
        registry.register(
            EmailChange,
            subject="customer_id",
            category="profile",
            fields=("new_email", "created_at", "expires_at"),
        )
