from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Vault"

    def ready(self) -> None:
        from django.core import checks

        from vault.checks import check_row_binding

        checks.register(check_row_binding)
