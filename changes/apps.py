from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change feed"

    def ready(self) -> None:
        from changes.models import Change
        from vault import registry

        # Which customer changed how and when: held about the customer, exported with
        # the profile, deleted by erasure (the `erased` entry comes after, sealed).
        registry.register(Change, subject="customer_id", category="profile", fields=("kind", "at"))
