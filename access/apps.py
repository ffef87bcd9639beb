from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Staff access"

    def ready(self) -> None:
        from access.models import RevealReason
        from access.roles import describe_staff
        from audit.actors import register_actor_describer
        from vault import registry

        # Customers are told a staff actor's role, never their name (portal access log).
        register_actor_describer("staff", describe_staff)

        # A typed reveal reason may mention the customer: it is theirs, exported with
        # their data and erased with it.
        registry.register(
            RevealReason,
            subject="subject_id",
            category="staff_reveal_reasons",
            fields=("purpose", "reason", "created_at"),
        )
