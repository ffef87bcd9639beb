"""Errors the vault raises. Messages name subjects by id only, never by value."""


class VaultError(Exception):
    """Base class: something about keys or ciphertext is wrong."""


class KeyMissing(VaultError):
    def __init__(self, subject_id):
        self.subject_id = subject_id
        super().__init__(f"No data key exists for subject {subject_id}.")


class KeyDestroyed(VaultError):
    """The subject was erased: their data key is gone and their data is unreadable."""

    def __init__(self, subject_id):
        self.subject_id = subject_id
        super().__init__(
            f"The data key of subject {subject_id} was destroyed: this data is erased "
            "and can no longer be read."
        )


class DecryptionFailed(VaultError):
    def __init__(self, subject_id, label: str):
        self.subject_id = subject_id
        super().__init__(
            f"Ciphertext of {label} for subject {subject_id} failed authentication: it "
            "belongs to another row or field, or was altered."
        )


class MasterKeyUnavailable(VaultError):
    def __init__(self, subject_id):
        super().__init__(
            f"None of the configured master keys unwraps the data key of subject "
            f"{subject_id}; was a master key dropped from VAULT_MASTER_KEYS too early?"
        )


class MasterKeyInUse(VaultError):
    """A master key cannot be retired while it wraps new or live data keys."""


class MasterKeyUnknown(VaultError):
    """No configured master key has that id."""
