from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy desk"

    def ready(self) -> None:
        from access.policy import register_assignment_provider
        from privacy.models import DataSubjectRequest
        from privacy.selectors import assigned_requests
        from vault import registry

        registry.register(
            DataSubjectRequest,
            subject="customer",
            category="data_subject_requests",
            fields=("kind", "channel", "status", "received_at", "due_by", "completed_at"),
            erasure=registry.Erasure.PSEUDONYMIZE,
        )
        register_assignment_provider("privacy.requests", assigned_requests)
