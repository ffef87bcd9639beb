from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from consent.models import ConsentEvent, ConsentState
        from vault import registry

        # The ledger is evidence of what the customer agreed to; erasure unlinks it.
        registry.register(
            ConsentEvent,
            subject="customer",
            category="consent",
            fields=("purpose", "notice__version", "granted", "source", "actor", "occurred_at"),
            erasure=registry.Erasure.PSEUDONYMIZE,
        )
        registry.register(
            ConsentState,
            subject="customer_id",
            category="consent",
            fields=("purpose", "granted", "updated_at"),
        )
