from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from campaigns.models import Recipient
        from vault import registry

        # Which campaigns reached the customer (or held them out), and what they were
        # offered: marketing history, exported and erased with them.
        registry.register(
            Recipient,
            subject="customer",
            category="marketing",
            fields=("campaign__name", "campaign__channel", "group", "status", "offered", "sent_at"),
        )
