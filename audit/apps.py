from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from audit.models import AuditEvent
        from vault import registry

        # Audit rows name subjects by id; erasure pseudonymizes those references.
        registry.register(
            AuditEvent,
            subject="subject_id",
            category="access_log",
            fields=("occurred_at", "actor", "action", "object_type", "purpose"),
            erasure=registry.Erasure.PSEUDONYMIZE,
            id_fields=("object_id",),
        )
