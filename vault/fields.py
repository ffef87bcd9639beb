"""Model fields that keep personal data encrypted at rest.

`EncryptedTextField` stores AES-GCM ciphertext under the row's subject's data key, with
"<subject id>|<app.model.field>|<row id>" as associated data (the row id: a UUID primary
key, or a `vault_row_id` fixed at creation), so ciphertext moved to another customer,
field or row fails to open. Code reads and assigns plain
strings; only `pre_save` encrypts and only the descriptor decrypts, so no other code
handles ciphertext and no plaintext reaches the data database.

`BlindIndexField` keeps the HMAC of its source field's normalized value up to date.
"""

import base64
import functools
import uuid
from collections.abc import Callable

from django import forms
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property
from django.views.decorators.debug import sensitive_variables

from vault import ciphers
from vault.blind_index import blind_index, lookup_indexes
from vault.exceptions import DecryptionFailed, VaultError
from vault.keys import data_cipher


class Sealed(bytes):
    """Ciphertext as stored; opened only by the vault."""

    def __repr__(self) -> str:
        return f"<Sealed {len(self)} bytes>"


def _plain_cache_key(attname: str) -> str:
    return f"_vault_plain_{attname}"


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on read (once per instance) and accepts only str or None on write."""

    @sensitive_variables()
    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        raw = super().__get__(instance, cls)
        if not isinstance(raw, Sealed):
            return raw
        cached = instance.__dict__.get(_plain_cache_key(self.field.attname))
        if cached is not None and cached[0] is raw:
            return cached[1]
        plain = self.field.open(instance, raw)
        instance.__dict__[_plain_cache_key(self.field.attname)] = (raw, plain)
        return plain

    def __set__(self, instance, value):
        if value is not None and not isinstance(value, (str, Sealed)):
            raise TypeError(f"{self.field.label} takes a str or None, not {type(value).__name__}.")
        instance.__dict__[self.field.attname] = value


# The per-row id that binds a row's ciphertexts to it, for models whose primary key is not
# a UUID fixed at creation (an auto-increment pk is only known after the insert).
ROW_ID_FIELD = "vault_row_id"


class VaultRowIdField(models.UUIDField):
    """A random id fixed when the row is created; encrypted fields of the row include it
    in their associated data. Declare it as `vault_row_id = VaultRowIdField()`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", uuid.uuid4)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


def associated_data(subject_id: uuid.UUID, label: str, row_id: str | None) -> bytes:
    """ "<subject id>|<app.model.field>|<row id>": ciphertext opens only in the row, the
    field and under the subject it was sealed for (no row id: an unbound model, see
    `row_binding`)."""
    text = f"{subject_id}|{label}" if row_id is None else f"{subject_id}|{label}|{row_id}"
    return text.encode()


@sensitive_variables()
def seal_text(*, subject_id: uuid.UUID, label: str, row_id: str | None, plain: str) -> Sealed:
    """Seal one value the way EncryptedTextField does (data migrations use it)."""
    cipher = data_cipher(subject_id)
    return Sealed(ciphers.seal(cipher, plain.encode(), associated_data(subject_id, label, row_id)))


@sensitive_variables()
def open_text(*, subject_id: uuid.UUID, label: str, row_id: str | None, sealed: bytes) -> str:
    cipher = data_cipher(subject_id)
    try:
        return ciphers.open_sealed(
            cipher, bytes(sealed), associated_data(subject_id, label, row_id)
        ).decode()
    except ciphers.AuthenticationFailed as error:
        raise DecryptionFailed(subject_id, label) from error


@functools.cache
def row_binding(model) -> str | None:
    """The attribute whose value binds a row's ciphertexts to the row: `vault_row_id`
    when the model declares it, else a UUID primary key; None when the model has
    neither (its ciphertexts bind subject and field only; a system check warns).
    Fixed per model, so remembered: every decryption asks."""
    opts = model._meta
    if any(field.name == ROW_ID_FIELD for field in opts.concrete_fields):
        return ROW_ID_FIELD
    if isinstance(opts.pk, models.UUIDField):
        return "pk"
    return None


_AAD_CACHE = "_vault_aad_parts"


class EncryptedTextField(models.BinaryField):
    """Text encrypted under the data key of the row's subject (`subject` names the
    attribute holding the customer id: "pk" on Customer, "customer_id" elsewhere), bound
    to the row by its UUID primary key or its `vault_row_id` (see `row_binding`)."""

    descriptor_class = EncryptedAttribute

    def __init__(self, *args, subject: str = "pk", **kwargs):
        self.subject = subject
        kwargs["editable"] = kwargs.get("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["subject"] = self.subject
        if kwargs.get("editable") is True:
            del kwargs["editable"]
        return name, path, args, kwargs

    @cached_property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def subject_id(self, instance) -> uuid.UUID:
        value = getattr(instance, self.subject)
        if value is None:
            raise VaultError(f"{self.label} has no subject to encrypt under.")
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def row_id(self, instance) -> str | None:
        attribute = row_binding(self.model)
        if attribute is None:
            return None
        value = getattr(instance, attribute)
        if value is None:
            raise VaultError(f"{self.label} has no row id to bind its ciphertext to.")
        return str(value)

    def associated_data(self, subject_id: uuid.UUID, row_id: str | None = None) -> bytes:
        return associated_data(subject_id, self.label, row_id)

    @sensitive_variables()
    def seal(self, instance, plain: str) -> Sealed:
        return seal_text(
            subject_id=self.subject_id(instance),
            label=self.label,
            row_id=self.row_id(instance),
            plain=plain,
        )

    def _aad_parts(self, instance) -> tuple[uuid.UUID, str, str]:
        """(subject id, its text, "|<row id>" or ""), kept on the instance for its other
        encrypted fields: turning two UUIDs into text for each of five fields was a
        fifth of opening them, as profiled (issue 28). Ids only, never a value."""
        attribute = row_binding(self.model)
        subject_value = getattr(instance, self.subject)
        row_value = (
            None
            if attribute is None
            else subject_value
            if attribute == self.subject
            else getattr(instance, attribute)
        )
        cached = instance.__dict__.get(_AAD_CACHE)
        # The same id objects as last time (a row's ids do not change): no comparison.
        if cached is not None and cached[0] is subject_value and cached[1] is row_value:
            return cached[2], cached[3], cached[4]
        subject_id = self.subject_id(instance)
        row_id = self.row_id(instance)
        suffix = "" if row_id is None else f"|{row_id}"
        instance.__dict__[_AAD_CACHE] = (
            subject_value,
            row_value,
            subject_id,
            str(subject_id),
            suffix,
        )
        return subject_id, str(subject_id), suffix

    @sensitive_variables()
    def open(self, instance, sealed: Sealed) -> str:
        # open_text, inlined: a list page opens tens of thousands of values.
        subject_id, subject_text, row_suffix = self._aad_parts(instance)
        cipher = data_cipher(subject_id)
        aad = f"{subject_text}|{self.label}{row_suffix}".encode()
        try:
            return ciphers.open_sealed(cipher, sealed, aad).decode()
        except ciphers.AuthenticationFailed as error:
            raise DecryptionFailed(subject_id, self.label) from error

    def get_default(self):
        return None if self.null else ""

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(bytes(value))

    def to_python(self, value):
        return value

    @sensitive_variables()
    def pre_save(self, model_instance, add):
        raw = model_instance.__dict__.get(self.attname)
        if raw is None or isinstance(raw, Sealed):
            return raw
        sealed = self.seal(model_instance, raw)
        model_instance.__dict__[self.attname] = sealed
        model_instance.__dict__[_plain_cache_key(self.attname)] = (sealed, raw)
        return sealed

    def get_prep_value(self, value):
        if isinstance(value, str):
            raise TypeError(
                f"{self.label} is encrypted: it cannot be filtered or bulk-updated with a "
                "plain value (look up through its blind index; save through the model)."
            )
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        raw = obj.__dict__.get(self.attname)
        return base64.b64encode(raw).decode() if isinstance(raw, Sealed) else None

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class BlindIndexField(models.CharField):
    """HMAC-SHA256 (hex) of `source`'s normalized value, kept in step with the source on
    every save. Look up with `Model._meta.get_field("<name>").digest(value)`."""

    def __init__(
        self, *args, source: str, normalizer: Callable[[str], str] | None = None, **kwargs
    ):
        self.source = source
        self.normalizer = normalizer or (lambda value: value)
        kwargs["max_length"] = 64
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        del kwargs["max_length"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    @property
    def column_label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.source}"

    def digest(self, value: str) -> str:
        return blind_index(self.column_label, self.normalizer(value))

    def digests(self, value: str) -> list[str]:
        """The value's index under the current and the retired keys: look up with
        `<name>__in=field.digests(value)` so rows not yet re-indexed still match."""
        return lookup_indexes(self.column_label, self.normalizer(value))

    def pre_save(self, model_instance, add):
        # Recomputed from the source's plain value on every save, whatever the field
        # order, so that the index can never drift from the value it stands for.
        plain = getattr(model_instance, self.source)
        value = None if plain is None else self.digest(plain)
        setattr(model_instance, self.attname, value)
        return value
