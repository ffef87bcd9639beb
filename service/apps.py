from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from access.policy import register_assignment_provider
        from service.models import Ticket, TicketNote
        from service.selectors import assigned_tickets
        from vault import registry

        # Subjects and notes are free text about the customer: exported with their data
        # (internal notes too, as personal data about them) and deleted on erasure, after
        # their key is destroyed.
        registry.register(
            Ticket,
            subject="customer_id",
            category="service_tickets",
            fields=(
                "subject",
                "channel",
                "topic",
                "priority",
                "status",
                "complaint",
                "created_at",
                "due_at",
                "resolved_at",
                "closed_at",
            ),
        )
        registry.register(
            TicketNote,
            subject="customer_id",
            category="service_tickets",
            fields=("ticket", "visibility", "body", "created_at"),
        )
        # An open ticket assigned to an agent is their reason to reveal the customer.
        register_assignment_provider("service.tickets", assigned_tickets)
