"""Master keys and the blind-index key, read from settings and checked.

Kept free of models so that settings.py can call `check_key_settings` at start-up.
"""

import base64
import binascii
import hashlib
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

KEY_BYTES = 32
KEY_HINT = (
    'each key is 32 random bytes in URL-safe base64, e.g. the output of python -c "import '
    'base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)


@sensitive_variables()
def decode_key(name: str, value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.strip().encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} is malformed: {KEY_HINT}.")
    return raw


@sensitive_variables()
def check_key_settings(
    master_keys: list[str],
    index_key: str,
    retired_index_keys: list[str] | None = None,
    stable_keys: dict[str, str] | None = None,
) -> None:
    """Raise ImproperlyConfigured with a clear message unless the settings are usable."""
    if not master_keys:
        raise ImproperlyConfigured(f"VAULT_MASTER_KEYS is not set: {KEY_HINT}.")
    for position, value in enumerate(master_keys, start=1):
        decode_key(f"VAULT_MASTER_KEYS (key {position})", value)
    if not index_key:
        raise ImproperlyConfigured(f"VAULT_INDEX_KEY is not set: {KEY_HINT}.")
    decode_key("VAULT_INDEX_KEY", index_key)
    for position, value in enumerate(retired_index_keys or [], start=1):
        decode_key(f"VAULT_RETIRED_INDEX_KEYS (key {position})", value)
    for name, value in (stable_keys or {}).items():
        if value:
            decode_key(name, value)
        elif retired_index_keys:
            raise ImproperlyConfigured(STABLE_KEYS_NEEDED)


# Keys that must outlive a blind-index rotation, as the subkeys themselves (derived once
# from the index key in use before the first rotation): pseudonyms and audit seals are
# stored, and must keep their values, while the index key's root is destroyed.
STABLE_KEY_SETTINGS = ("VAULT_PSEUDONYM_KEY", "VAULT_AUDIT_SEAL_KEY")
STABLE_KEYS_NEEDED = (
    "VAULT_PSEUDONYM_KEY and VAULT_AUDIT_SEAL_KEY must be set before the blind-index key "
    "rotates: run `manage.py rotate_index_key --derive-stable-keys` with the index key in "
    "use so far, and put the two values it prints in the environment."
)


@sensitive_variables()
def fingerprint(key: bytes) -> str:
    """A short public id of a master key, stored beside each data key it wraps."""
    return hashlib.sha256(b"custodian/master-key-id/" + key).hexdigest()[:16]


@lru_cache(maxsize=8)
@sensitive_variables()
def _decoded_master_keys(values: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    if not values:
        raise ImproperlyConfigured(f"VAULT_MASTER_KEYS is not set: {KEY_HINT}.")
    keys = [decode_key("VAULT_MASTER_KEYS", value) for value in values]
    return tuple((fingerprint(key), key) for key in keys)


@sensitive_variables()
def master_keys() -> tuple[tuple[str, bytes], ...]:
    """(fingerprint, key) pairs in settings order; the first one wraps new data keys."""
    from django.conf import settings

    return _decoded_master_keys(tuple(settings.VAULT_MASTER_KEYS))


@sensitive_variables()
def index_key() -> bytes:
    """The current blind-index key: new index values are computed under it."""
    from django.conf import settings

    if not settings.VAULT_INDEX_KEY:
        raise ImproperlyConfigured(f"VAULT_INDEX_KEY is not set: {KEY_HINT}.")
    return decode_key("VAULT_INDEX_KEY", settings.VAULT_INDEX_KEY)


@sensitive_variables()
def lookup_index_keys() -> list[bytes]:
    """The current blind-index key, then retired ones still accepted for lookups while
    `rotate_index_key` re-indexes (and until their backup horizon)."""
    from django.conf import settings

    retired = getattr(settings, "VAULT_RETIRED_INDEX_KEYS", None) or []
    return [index_key()] + [decode_key("VAULT_RETIRED_INDEX_KEYS", value) for value in retired]


@sensitive_variables()
def stable_subkey(setting: str) -> bytes | None:
    """The subkey held in `setting` (one of STABLE_KEY_SETTINGS), or None while unset
    (then it is derived from VAULT_INDEX_KEY, which gives the same value until the
    index key first rotates)."""
    from django.conf import settings

    value = getattr(settings, setting, "")
    if value:
        return decode_key(setting, value)
    if getattr(settings, "VAULT_RETIRED_INDEX_KEYS", None):
        raise ImproperlyConfigured(STABLE_KEYS_NEEDED)
    return None
