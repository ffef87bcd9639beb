"""A row as a backup holds it, for tests that restore one."""

from vault.fields import EncryptedTextField, Sealed


def stored(instance) -> dict:
    """The instance's stored values by attname, ciphertext included. A loaded row holds
    its ciphertext as the driver's bytes; an encrypted field takes ciphertext back only
    as Sealed (never bare bytes, which could be plaintext), as a restore would."""
    values = {}
    for field in instance._meta.concrete_fields:
        value = instance.__dict__[field.attname]
        if isinstance(field, EncryptedTextField) and isinstance(value, bytes | memoryview):
            value = Sealed(value)
        values[field.attname] = value
    return values
