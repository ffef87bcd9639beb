from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from disposal.services import register_before_key_destroyed
        from portal.closing import mail_certificate
        from portal.models import EmailUndo, SessionCutoff, SignInCode
        from vault import registry

        # Sign-in codes are hashes and times; they go with the customer.
        registry.register(
            SignInCode,
            subject="customer_id",
            category="sign_in",
            fields=("created_at", "expires_at", "used_at"),
        )
        # The address an email change replaced, until its undo link is used or expires.
        registry.register(
            EmailUndo,
            subject="customer_id",
            category="profile",
            fields=("old_email", "created_at", "expires_at", "used_at"),
        )
        registry.register(
            SessionCutoff, subject="customer_id", category="sign_in", fields=("not_before",)
        )
        # The certificate number reaches the customer before their address is erased.
        register_before_key_destroyed(mail_certificate)
