"""Model fields that keep personal data encrypted at rest.

`EncryptedTextField` stores AES-GCM ciphertext under the row's subject's data key, with
"<subject id>|<app.model.field>|<row id>" as associated data (the row id: a UUID primary
key, or a `vault_row_id` fixed at creation), so ciphertext moved to another customer,
field or row fails to open. Code reads and assigns plain
strings; only `pre_save` encrypts and only the descriptor decrypts, so no other code
handles ciphertext and no plaintext reaches the data database. A value is decrypted on
its first read, never before: a page decrypts only the fields it shows.

In an instance's dict an encrypted field holds a str (plain, sealed on save), None, or
ciphertext: `Sealed` when code assigned it, the driver's bytes when the row was loaded
(no wrapper object per value: see `_from_db`). Assignment takes str, None or Sealed,
never bare bytes, so plaintext bytes cannot pass for ciphertext.

`BlindIndexField` keeps the HMAC of its source field's normalized value up to date.
"""

import base64
import functools
import uuid
from collections.abc import Callable

from django import forms
from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils.functional import cached_property
from django.views.decorators.debug import sensitive_variables

from vault import ciphers
from vault.blind_index import blind_index, lookup_indexes
from vault.exceptions import DecryptionFailed, VaultError
from vault.keys import data_cipher, scope_keys


class Sealed(bytes):
    """Ciphertext handed to an encrypted field by code (a restored backup row, a data
    migration); opened only by the vault."""

    def __repr__(self) -> str:
        return f"<Sealed {len(self)} bytes>"


def _plain_cache_key(attname: str) -> str:
    return f"_vault_plain_{attname}"


def _opened_key(attname: str) -> str:
    """Where an instance keeps the ciphertext its cached plain value was opened from."""
    return f"_vault_opened_{attname}"


_UNSET = object()


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on read (once per instance) and accepts only str or None on write."""

    def __init__(self, field):
        super().__init__(field)
        self.plain_key = _plain_cache_key(field.attname)
        self.opened_key = _opened_key(field.attname)

    @sensitive_variables()
    def __get__(self, instance, cls=None):
        # Every frame below this one is hidden from error reports too: the opening
        # below calls helpers that carry no guard of their own (one call per value).
        if instance is None:
            return self
        data = instance.__dict__
        field = self.field
        raw = data.get(field.attname, _UNSET)
        if raw is _UNSET:  # a deferred field: loaded, and decrypted, by refresh_from_db
            raw = super().__get__(instance, cls)
        if raw is None or isinstance(raw, str):
            return raw
        # The value opened before, while the ciphertext is the one it came from: two
        # entries, not a (ciphertext, value) pair, which would be one more object per
        # field for the garbage collector to track (see `_from_db`).
        if data.get(self.opened_key) is raw:
            return data[self.plain_key]
        # Opening, inlined: a list page opens tens of thousands of values. The row's
        # ids are text once per row (kept while they are the same objects), its key
        # comes from the scope (a dict lookup), and the associated data is three byte
        # strings joined.
        subject_attname, row_attname = field.id_attnames
        parts = data.get(_AAD_CACHE)
        if (
            parts is None
            or subject_attname is None
            or parts[0] is not data.get(subject_attname)
            or (row_attname is not None and parts[1] is not data.get(row_attname))
        ):
            parts = field.row_parts(instance)
        subject_id, prefix, suffix = parts[2], parts[3], parts[4]
        keys = scope_keys.get()
        cipher = None if keys is None else keys.get(subject_id)
        if cipher is None:
            cipher = data_cipher(subject_id)  # outside a scope: loaded for this value
        try:
            plain = ciphers.open_with(cipher, raw, prefix + field.label_bytes + suffix).decode()
        except ciphers.AuthenticationFailed as error:
            raise DecryptionFailed(subject_id, field.label) from error
        data[self.plain_key] = plain
        data[self.opened_key] = raw
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

    @cached_property
    def label_bytes(self) -> bytes:
        return self.label.encode()

    @cached_property
    def id_attnames(self) -> tuple[str | None, str | None]:
        """The instance attributes holding the subject id and the row id, read straight
        from the instance's dict when they are concrete fields (subject None: read it
        with getattr, e.g. a class constant; row None: no row binding)."""
        opts = self.model._meta
        by_name = {field.name: field.attname for field in opts.concrete_fields}
        by_name.update({field.attname: field.attname for field in opts.concrete_fields})
        by_name["pk"] = opts.pk.attname
        binding = row_binding(self.model)
        return by_name.get(self.subject), None if binding is None else by_name[binding]

    def row_parts(self, instance) -> tuple:
        """(subject id value, row id value, subject id, b"<subject id>|", b"|<row id>" or
        b""): the associated data of any encrypted field of the row is prefix + label +
        suffix. Kept on the instance for its other encrypted fields, and reused while
        its ids are the same objects (turning two UUIDs into text for each of five fields
        was a fifth of opening them, as profiled for issue 28). Ids only, never a value;
        one tuple per row."""
        subject_value = getattr(instance, self.subject)
        subject_id = self.subject_id(instance)
        subject_text = str(subject_id)
        row_attname = self.id_attnames[1]
        if row_attname is None:
            row_value, suffix = None, b""
        else:
            row_value = getattr(instance, row_attname)
            if row_value is subject_id:  # the row is the subject (Customer): one text
                suffix = f"|{subject_text}".encode()
            else:
                suffix = f"|{self.row_id(instance)}".encode()
        parts = (subject_value, row_value, subject_id, f"{subject_text}|".encode(), suffix)
        instance.__dict__[_AAD_CACHE] = parts
        return parts

    @sensitive_variables()
    def open(self, instance, sealed: bytes) -> str:
        _subject, _row, subject_id, prefix, suffix = self.row_parts(instance)
        cipher = data_cipher(subject_id)
        try:
            return ciphers.open_with(cipher, sealed, prefix + self.label_bytes + suffix).decode()
        except ciphers.AuthenticationFailed as error:
            raise DecryptionFailed(subject_id, self.label) from error

    def get_default(self):
        return None if self.null else ""

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        loader = getattr(cls.from_db, "__func__", None)
        if loader is models.Model.from_db.__func__:
            cls.from_db = classmethod(_from_db)
            loader = _from_db
        # A model with a from_db of its own gets Django's way: a converter per value.
        self.converts = loader is not _from_db

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        return [*converters, _to_sealed] if getattr(self, "converts", False) else converters

    def to_python(self, value):
        return value

    @sensitive_variables()
    def pre_save(self, model_instance, add):
        raw = model_instance.__dict__.get(self.attname)
        if raw is None or not isinstance(raw, str):  # ciphertext, assigned or loaded
            return raw
        sealed = self.seal(model_instance, raw)
        model_instance.__dict__[self.attname] = sealed
        model_instance.__dict__[_plain_cache_key(self.attname)] = raw
        model_instance.__dict__[_opened_key(self.attname)] = sealed
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
        return base64.b64encode(raw).decode() if isinstance(raw, bytes | memoryview) else None

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


def _to_sealed(value, expression, connection):
    return None if value is None else Sealed(value)


# Descriptors that only store the value in the instance's dict when Model.__init__ sets
# it on a new instance (a foreign key's clears a cached related object, which a new
# instance has none of).
_STORING_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, EncryptedAttribute)


@functools.cache
def _load_layout(cls) -> tuple[tuple[str, ...], tuple[int, ...], bool]:
    """(attnames of the concrete fields, positions of the encrypted ones, whether a
    whole row may go straight into a new instance's dict: the model keeps Django's
    __init__ and every field's descriptor only stores)."""
    fields = cls._meta.concrete_fields
    attnames = tuple(field.attname for field in fields)
    sealed = tuple(i for i, field in enumerate(fields) if isinstance(field, EncryptedTextField))

    def descriptor(name):
        return next((klass.__dict__[name] for klass in cls.__mro__ if name in klass.__dict__), None)

    direct = cls.__init__ is models.Model.__init__ and all(
        type(descriptor(name)) in _STORING_DESCRIPTORS for name in attnames
    )
    return attnames, sealed, direct


def _from_db(cls, db, field_names, values):
    """Model.from_db for models with encrypted fields (installed by the field).

    The field has no from_db_value: once any field of a query has a converter, Django
    runs a Python loop over every field of every row, a sixth of reading a list of
    customers as profiled (issue 28). A whole row goes into the new instance's dict at
    once, as Model.__init__ would put it there one setattr at a time (same signals,
    same state), its ciphertext as the driver returned it: bytes, which the garbage
    collector does not track, where a Sealed per value (a Python subclass, tracked) and
    a pair per opened value made ten more tracked objects per customer and a full
    collection (60 to 90 ms here) in every read of 10,000 customers. Deferred fields,
    and models whose __init__ or descriptors do more than store, take Django's way, with
    the ciphertext as Sealed (assignment refuses bare bytes)."""
    attnames, sealed, direct = _load_layout(cls)
    if direct and len(values) == len(attnames):
        pre_init.send(sender=cls, args=values, kwargs={})
        new = cls.__new__(cls)
        new._state = ModelState()
        new.__dict__.update(zip(attnames, values, strict=True))
        post_init.send(sender=cls, instance=new)
        new._state.adding = False
        new._state.db = db
        return new
    # Values follow field_names when some are deferred, the concrete fields otherwise.
    names = attnames if len(values) == len(attnames) else field_names
    encrypted = {attnames[position] for position in sealed}
    values = [
        Sealed(value) if value is not None and name in encrypted else value
        for name, value in zip(names, values, strict=True)
    ]
    return models.Model.from_db.__func__(cls, db, field_names, values)


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
