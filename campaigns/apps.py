from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from access.policy import register_assignment_provider
        from campaigns.models import Recipient
        from campaigns.selectors import calls_as_assigned_items
        from vault import registry

        # Which campaigns reached the customer (or held them out), and what they were
        # offered: marketing history, exported and erased with them.
        registry.register(
            Recipient,
            subject="customer",
            category="marketing",
            fields=("campaign__name", "campaign__channel", "group", "status", "offered", "sent_at"),
        )
        # A pending call on a running phone campaign is work the support agents are
        # given as a team: a reason to reveal that customer's number for the call.
        register_assignment_provider("campaign_calls", calls_as_assigned_items)
