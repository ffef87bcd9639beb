"""Blind indexes: HMAC-SHA256 of a normalized value under a per-column subkey.

They let the data database answer "is there a customer with this email?" and enforce
uniqueness without holding the email. Never index a low-cardinality field alone.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.views.decorators.debug import sensitive_variables

from vault.keyring import index_key, lookup_index_keys, stable_subkey


@lru_cache(maxsize=64)
@sensitive_variables()
def _column_key(root: bytes, column: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"custodian/blind-index/" + column.encode(),
    ).derive(root)


@sensitive_variables()
def blind_index(column: str, normalized_value: str, root: bytes | None = None) -> str:
    """Hex HMAC of an already-normalized value for `column` ("app.model.field"), under
    the current blind-index key (or `root`)."""
    key = _column_key(root if root is not None else index_key(), column)
    return hmac.new(key, normalized_value.encode(), hashlib.sha256).hexdigest()


@sensitive_variables()
def lookup_indexes(column: str, normalized_value: str) -> list[str]:
    """The value's index under the current key and every retired key still accepted:
    lookups and uniqueness checks match rows not yet re-indexed by rotate_index_key."""
    return [blind_index(column, normalized_value, root) for root in lookup_index_keys()]


@sensitive_variables()
def column_subkey(column: str) -> bytes:
    """The current index key's subkey for `column` (what --derive-stable-keys prints)."""
    return _column_key(index_key(), column)


@sensitive_variables()
def stable_index(column: str, text: str, *, setting: str) -> str:
    """Hex HMAC of `text` under a key that survives blind-index rotation: the subkey in
    `setting` when set, else the current index key's subkey for `column` (equal until
    the first rotation, so stored pseudonyms and audit seals keep their values)."""
    key = stable_subkey(setting) or column_subkey(column)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
