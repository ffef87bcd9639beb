"""AES-256-GCM sealing with associated data: the one place that encrypts bytes."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.views.decorators.debug import sensitive_variables

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12


class AuthenticationFailed(Exception):
    """The ciphertext was not sealed under this key with this associated data."""


@sensitive_variables()
def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@sensitive_variables()
def seal(key: bytes | AESGCM, plaintext: bytes, associated_data: bytes) -> bytes:
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + aead.encrypt(nonce, plaintext, associated_data)


@sensitive_variables()
def open_sealed(key: bytes | AESGCM, sealed: bytes, associated_data: bytes) -> bytes:
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    return open_with(aead, sealed, associated_data)


def open_with(aead: AESGCM, sealed: bytes, associated_data: bytes) -> bytes:
    """`open_sealed` with an AEAD already made, for loops that open many values: only
    for callers that are themselves under `sensitive_variables` (error reports hide the
    variables of every frame below such a caller, so this frame needs no guard of its
    own; the guard costs a call per value, as profiled for issue 28)."""
    if sealed[:1] != FORMAT_V1 or len(sealed) < _SHORTEST:
        raise AuthenticationFailed("unknown ciphertext format")
    try:
        return aead.decrypt(sealed[1:_BODY], sealed[_BODY:], associated_data)
    except InvalidTag as error:
        raise AuthenticationFailed("authentication tag mismatch") from error


_BODY = 1 + NONCE_BYTES
_SHORTEST = _BODY + 16  # the format byte, the nonce and the tag
