"""One-time codes that prove a person controls an address: six digits, kept only as a
keyed hash (bound to the row that issued them), compared in constant time."""

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(kind: str, row_id, code: str) -> str:
    """The stored form of a code: an HMAC under SECRET_KEY, salted with what the code is
    for and the row that issued it, so a digest is useless anywhere else."""
    normalized = "".join(str(code).split())
    return salted_hmac(f"custodian.code.{kind}", f"{row_id}:{normalized}").hexdigest()


def code_matches(digest: str, kind: str, row_id, code: str) -> bool:
    return constant_time_compare(digest, code_digest(kind, row_id, code))
