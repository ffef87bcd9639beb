from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from consent.models import ConsentConfirmation, ConsentEvent, ConsentState
        from vault import registry

        # The ledger is evidence of what the customer agreed to; erasure unlinks it.
        registry.register(
            ConsentEvent,
            subject="customer",
            category="consent",
            fields=(
                "purpose",
                "notice__version",
                "notice_language",
                "granted",
                "source",
                "actor",
                "occurred_at",
                "given_at",
                "channel",
                "confirmed_at",
                "confirmation_method",
                "vouched",
            ),
            erasure=registry.Erasure.PSEUDONYMIZE,
        )
        registry.register(
            ConsentState,
            subject="customer_id",
            category="consent",
            fields=("purpose", "granted", "updated_at"),
        )
        # Pending double opt-ins: ids and times only, gone with the customer.
        registry.register(
            ConsentConfirmation,
            subject="customer_id",
            category="consent",
            fields=(
                "purpose",
                "notice__version",
                "notice_language",
                "created_at",
                "expires_at",
                "confirmed_at",
            ),
        )
