"""The vault's public door for other apps: keys per subject and staff reveals.

Other apps import from here (and from fields, registry, masking), never from ciphers.
"""

from vault.keys import create_data_key, destroy_key, is_destroyed, key_scope, preload

__all__ = ["create_data_key", "destroy_key", "is_destroyed", "key_scope", "preload"]
