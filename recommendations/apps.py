from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from consent.services import PERSONALIZATION, register_withdrawal_handler
        from recommendations import handlers
        from recommendations.models import ShownRecommendation
        from vault import registry

        registry.register(
            ShownRecommendation,
            subject="customer_id",
            category="recommendations",
            fields=("customer", "skus", "personalized", "shown_at"),
            erasure=registry.Erasure.DELETE,
        )
        register_withdrawal_handler(PERSONALIZATION, handlers.on_personalization_withdrawn)
        registry.register_forget_handler("recommendations", handlers.forget_subject)
