from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from disposal.models import RetentionCategory
        from disposal.retention import register_subject_expiry
        from leads.models import Deal, Lead, LeadConfirmation, LeadConsent, LeadNote
        from leads.rights import expired_lead_ids, forget_converted_leads
        from vault import registry

        # A lead is a data subject of its own (its id is the vault subject).
        registry.register(
            Lead,
            subject="id",
            category="lead",
            fields=(
                "email",
                "full_name",
                "phone",
                "company",
                "source",
                "method",
                "status",
                "score",
                "created_at",
                "last_contact_at",
                "next_step",
                "next_step_on",
            ),
        )
        # Staff notes on the lead, under the lead's key.
        registry.register(
            LeadNote, subject="lead_id", category="lead", fields=("body", "author", "created_at")
        )
        # The evidence of what the lead agreed to; erasure unlinks it, like the ledger.
        registry.register(
            LeadConsent,
            subject="lead",
            category="lead_consent",
            fields=(
                "purpose",
                "notice__version",
                "notice_language",
                "granted",
                "lawful_basis",
                "method",
                "channel",
                "given_at",
            ),
            erasure=registry.Erasure.PSEUDONYMIZE,
        )
        registry.register(
            LeadConfirmation,
            subject="lead_id",
            category="lead_consent",
            fields=(
                "purpose",
                "notice__version",
                "notice_language",
                "created_at",
                "expires_at",
                "confirmed_at",
            ),
        )
        # Deals are with a lead or, after conversion, the customer: subject_id says which.
        registry.register(
            Deal,
            subject="subject_id",
            category="deals",
            fields=("title", "stage", "value", "expected_close", "created_at"),
        )
        register_subject_expiry(RetentionCategory.UNCONVERTED_LEADS, expired_lead_ids)
        # Erasing a customer who was a lead unlinks what the lead left behind, too.
        registry.register_forget_handler("leads.converted_lead", forget_converted_leads)
