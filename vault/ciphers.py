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
    if sealed[:1] != FORMAT_V1 or len(sealed) < 1 + NONCE_BYTES + 16:
        raise AuthenticationFailed("unknown ciphertext format")
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return aead.decrypt(nonce, body, associated_data)
    except InvalidTag as error:
        raise AuthenticationFailed("authentication tag mismatch") from error
