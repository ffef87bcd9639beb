"""System checks: every model with encrypted fields binds its ciphertexts to the row."""

from django.apps import apps
from django.core import checks

from vault.fields import ROW_ID_FIELD, EncryptedTextField, row_binding


def check_row_binding(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    warnings = []
    for model in apps.get_models():
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if encrypted and row_binding(model) is None:
            warnings.append(
                checks.Warning(
                    f"{model._meta.label}'s encrypted fields are not bound to their row: "
                    "ciphertext swapped between two of its rows would open in either.",
                    hint=f"Give the model a UUID primary key or `{ROW_ID_FIELD} = "
                    "VaultRowIdField()` (from vault.fields), with a migration that fills it "
                    "and re-encrypts existing rows (vault.rebinding.rebind_rows).",
                    obj=model,
                    id="vault.W001",
                )
            )
    return warnings
