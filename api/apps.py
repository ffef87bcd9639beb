from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Storefront API"

    def ready(self) -> None:
        from api import schema  # noqa: F401 (registers the OpenAPI auth extension)
        from api.idempotency import forget_subjects
        from api.models import IdempotentReply, StorefrontKey
        from audit.actors import register_actor_describer
        from vault import registry

        # A stored answer to an idempotent POST about a customer (sealed under their key).
        registry.register(
            IdempotentReply,
            subject="subject_id",
            category="api_replies",
            fields=("sealed_body", "status_code", "created_at"),
        )

        def key_name(prefix: str) -> str | None:
            # A storefront key's name is the client's (a shop), not a person's.
            return (
                StorefrontKey.objects.filter(prefix=prefix).values_list("name", flat=True).first()
            )

        register_actor_describer("api-key", key_name)
        # Erasure turns every stored answer naming the customer into a tombstone (v1.3).
        registry.register_forget_handler("api_replies", forget_subjects)
