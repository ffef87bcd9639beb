"""Re-encrypting stored ciphertexts under new associated data, for data migrations.

Ciphertexts sealed before rows were bound ("<subject>|<field>") are opened with that
associated data and sealed again with the row's ("<subject>|<field>|<row id>"). Works on
historical models (it reads raw values, never the model's descriptor), is idempotent (a
value that already opens with the new associated data is left alone), and skips rows
whose data key is destroyed (an erasure in progress: nobody can read them anyway).
"""

import uuid

from django.views.decorators.debug import sensitive_variables

from vault import ciphers
from vault.exceptions import KeyDestroyed, KeyMissing
from vault.fields import EncryptedTextField, Sealed, associated_data, row_binding
from vault.keys import data_cipher, key_scope


@sensitive_variables()
def _rebound(cipher, raw: bytes, old_ad: bytes, new_ad: bytes) -> bytes | None:
    try:
        ciphers.open_sealed(cipher, raw, new_ad)
        return None  # already bound
    except ciphers.AuthenticationFailed:
        pass
    plain = ciphers.open_sealed(cipher, raw, old_ad)
    return ciphers.seal(cipher, plain, new_ad)


def fill_row_ids(model, field_name: str = "vault_row_id") -> int:
    """Give every row without one its own random row id (AddField gives all rows one)."""
    filled = 0
    for pk in model._default_manager.filter(**{f"{field_name}__isnull": True}).values_list(
        "pk", flat=True
    ):
        model._default_manager.filter(pk=pk).update(**{field_name: uuid.uuid4()})
        filled += 1
    return filled


def rebind_rows(model, *, subject: uuid.UUID | None = None, label: str | None = None) -> int:
    """Re-encrypt every encrypted field of every row of `model` so that it is bound to
    its row. `subject` is the fixed subject of system secrets (whose model names it by a
    class attribute that historical models lack); `label` is "app.model" when it differs
    from the model's. Returns how many values were re-encrypted."""
    fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    binding = row_binding(model)
    if not fields or binding is None:
        return 0
    label = label or model._meta.label_lower
    changed = 0
    with key_scope():
        for field in fields:
            columns = ["pk", binding, field.attname]
            if subject is None:
                columns.append(field.subject)
            rows = model._default_manager.exclude(**{f"{field.attname}__isnull": True})
            for values in rows.values_list(*columns).iterator(chunk_size=500):
                pk, row_id, raw = values[0], values[1], values[2]
                owner = subject or uuid.UUID(str(values[3]))
                try:
                    cipher = data_cipher(owner)
                except (KeyDestroyed, KeyMissing):
                    continue
                field_label = f"{label}.{field.name}"
                new = _rebound(
                    cipher,
                    bytes(raw),
                    associated_data(owner, field_label, None),
                    associated_data(owner, field_label, str(row_id)),
                )
                if new is not None:
                    model._default_manager.filter(pk=pk).update(**{field.attname: Sealed(new)})
                    changed += 1
    return changed


__all__ = ["fill_row_ids", "rebind_rows"]
