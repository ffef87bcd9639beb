from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Staff access"

    def ready(self) -> None:
        from access.models import RevealReason
        from vault import registry

        # A typed reveal reason may mention the customer: it is theirs, exported with
        # their data and erased with it.
        registry.register(
            RevealReason,
            subject="subject_id",
            category="staff_reveal_reasons",
            fields=("purpose", "reason", "created_at"),
        )
