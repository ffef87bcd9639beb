from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Job outbox"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from outbox.embedded import sweep_if_due

        # Embedded default only (EMBEDDED_SWEEP_SECONDS is 0 when a broker and beat run).
        request_finished.connect(sweep_if_due, dispatch_uid="outbox-embedded-sweep")
