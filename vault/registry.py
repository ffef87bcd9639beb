"""The registry of personal data: which models hold data about a customer, in which
fields, under which category, and how erasure treats them.

Each app registers its own models in its AppConfig.ready(). Export and erasure both walk
this one registry, so what is exported and what is erased cannot drift apart.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from vault.fields import EncryptedTextField


class Erasure(StrEnum):
    DELETE = "delete"  # rows are deleted
    PSEUDONYMIZE = "pseudonymize"  # rows stay (legal hold or ledger), unlinked from the person


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    subject: str  # lookup from the model to the customer id: "id", "customer_id", ...
    category: str  # data category named in exports and disposal certificates
    fields: tuple[str, ...]  # the fields that hold personal data
    erasure: Erasure = Erasure.DELETE
    legal_hold: str = ""  # why the law requires keeping it, if it does

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def encrypted_fields(self) -> tuple[str, ...]:
        return tuple(
            field.name
            for field in self.model._meta.get_fields()
            if isinstance(field, EncryptedTextField)
        )

    def rows_of(self, subject_id) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.subject: subject_id})


_entries: dict[str, PersonalData] = {}


def register(
    model: type[models.Model],
    *,
    subject: str,
    category: str,
    fields: tuple[str, ...] | list[str],
    erasure: Erasure = Erasure.DELETE,
    legal_hold: str = "",
) -> PersonalData:
    """Register a model's personal data; every named field must exist on the model."""
    opts = model._meta
    for name in (subject.split("__")[0], *fields):
        opts.get_field(name)  # raises FieldDoesNotExist on a typo
    entry = PersonalData(model, subject, category, tuple(fields), Erasure(erasure), legal_hold)
    _entries[opts.label_lower] = entry
    return entry


def entries() -> list[PersonalData]:
    return list(_entries.values())


def entry_for(model: type[models.Model]) -> PersonalData | None:
    return _entries.get(model._meta.label_lower)


# Derived data built from a subject's rows (a recommendation model's counts, say) is not
# a table to delete from; its app registers how to take one subject out of it instead.
_forget_handlers: dict[str, Callable] = {}


def register_forget_handler(name: str, handler: Callable) -> None:
    """Register handler(subject_id) that removes a subject's contribution from derived
    data. Erasure calls every handler after the key is destroyed and before the rows go;
    a handler must be idempotent, because a re-run after a crash calls it again."""
    _forget_handlers[name] = handler


def forget_handlers() -> dict[str, Callable]:
    return dict(_forget_handlers)
