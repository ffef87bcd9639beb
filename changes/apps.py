from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change feed"

    def ready(self) -> None:
        from changes.models import Change
        from vault import registry

        # Which customer changed how and when: held about the customer, so exported and
        # deleted by erasure (the `erased` entry comes after, its id sealed).
        registry.register(
            Change, subject="customer_id", category="change_feed", fields=("kind", "at")
        )
