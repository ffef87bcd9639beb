from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from consent.services import (
            PERSONALIZATION,
            SENSITIVE_PERSONALIZATION,
            register_withdrawal_handler,
        )
        from recommendations import handlers
        from recommendations.models import Contributor, ShownRecommendation
        from vault import registry

        registry.register(
            ShownRecommendation,
            subject="customer_id",
            category="recommendations",
            fields=("customer", "skus", "personalized", "shown_at"),
            erasure=registry.Erasure.DELETE,
        )
        # What the model learned from the customer (product ids and weight). Exported as
        # held data; erasure's forget step subtracts it from the counts and deletes it
        # before the rows step, which then finds nothing left here.
        registry.register(
            Contributor,
            subject="customer_id",
            category="recommendations",
            fields=("build", "products", "weight"),
        )
        register_withdrawal_handler(PERSONALIZATION, handlers.on_personalization_withdrawn)
        # Granting it takes effect at the next build; withdrawing it, at once.
        register_withdrawal_handler(
            SENSITIVE_PERSONALIZATION, handlers.on_sensitive_personalization_withdrawn
        )
        registry.register_forget_handler("recommendations", handlers.forget_subjects)
