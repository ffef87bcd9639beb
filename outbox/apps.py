from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Job outbox"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from outbox import after_response
        from outbox.embedded import sweep_if_due

        request_started.connect(after_response.request_started, dispatch_uid="outbox-after-start")
        request_finished.connect(after_response.request_finished, dispatch_uid="outbox-after-end")
        # Embedded default only (EMBEDDED_SWEEP_SECONDS is 0 when a broker and beat run).
        request_finished.connect(sweep_if_due, dispatch_uid="outbox-embedded-sweep")
