from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "disposal"
    verbose_name = "Disposal"

    def ready(self) -> None:
        from consent.services import register_withdrawal_handler
        from customers.selectors import register_erasure_check
        from disposal.carriers import mark_unreadable
        from disposal.models import Disclosure
        from disposal.selectors import subjects_being_erased
        from disposal.services import erase_on_account_withdrawal
        from vault import registry
        from vault.keys import register_retirement_handler

        # Withdrawing `account` consent, from any surface, is an erasure request.
        register_withdrawal_handler("account", erase_on_account_withdrawal)
        # From the first step of an erasure, customers' services treat the customer as gone.
        register_erasure_check(subjects_being_erased)
        # The record of what went to which processor; erasure unlinks it after the
        # processors have been told.
        registry.register(
            Disclosure,
            subject="customer_id",
            category="disclosures",
            fields=("processor__name", "categories", "disclosed_at"),
            erasure=registry.Erasure.PSEUDONYMIZE,
        )
        # Retiring a master key marks the backup carriers it makes unreadable.
        register_retirement_handler(mark_unreadable)
