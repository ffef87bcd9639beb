"""The vault's public door for other apps: keys per subject and staff reveals.

Other apps import from here (and from fields, registry, masking), never from ciphers.
"""

from vault.keys import (
    SYSTEM_SUBJECT,
    create_data_key,
    destroy_key,
    destroy_keys,
    destroyed_among,
    ensure_data_key,
    is_destroyed,
    key_scope,
    preload,
)
from vault.pseudonyms import subject_pseudonym

__all__ = [
    "SYSTEM_SUBJECT",
    "create_data_key",
    "destroy_key",
    "destroy_keys",
    "destroyed_among",
    "ensure_data_key",
    "is_destroyed",
    "key_scope",
    "preload",
    "subject_pseudonym",
]
