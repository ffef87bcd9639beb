"""The registry of personal data: which models hold data about a customer, in which
fields, under which category, and how erasure treats them.

Each app registers its own models in its AppConfig.ready(). Export and erasure both walk
this one registry, so what is exported and what is erased cannot drift apart.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import connections, models, router
from django.db.models import Count

from vault.exceptions import DecryptionFailed
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
    hold_days: int = 0  # how long the law requires keeping it
    id_fields: tuple[str, ...] = ()  # text fields that may hold the subject's id itself

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def is_subject_row(self) -> bool:
        """True for the subject's own row (Customer), which goes after everything else."""
        return self.subject in ("id", "pk")

    def export_row(self, row: models.Model, errors: list | None = None) -> dict:
        """The registered fields of one row; "a__b" follows a relation, a relation on its
        own gives the related id. Encrypted fields are decrypted by the vault's field.

        With an `errors` list, a field whose ciphertext fails authentication (a tampered
        or swapped row) is exported as None and named in `errors` (table, row id, field),
        so one bad row cannot sink, or silently thin out, a whole export."""
        data = {"id": row.pk}
        for name in self.fields:
            field = self.model._meta.get_field(name.split("__")[0])
            if "__" not in name and field.is_relation:
                data[name] = getattr(row, field.attname)
                continue
            value = row
            try:
                for part in name.split("__"):
                    value = getattr(value, part) if value is not None else None
            except DecryptionFailed:
                if errors is None:
                    raise
                value = None
                errors.append(
                    {
                        "table": self.label,
                        "id": row.pk,
                        "field": name,
                        "error": "decryption failed: the stored value was altered or "
                        "belongs to another row",
                    }
                )
            data[name] = value
        return data

    def erase(self, subject_id, *, pseudonym) -> int:
        """Delete or pseudonymize the subject's rows; returns how many rows it changed."""
        rows = self.rows_of(subject_id)
        if self.erasure is Erasure.PSEUDONYMIZE:
            attname = self.model._meta.get_field(self.subject).attname
            # The plain QuerySet.update: append-only ledgers refuse every other update.
            changed = models.QuerySet.update(
                rows, **{attname: None, "subject_pseudonym": pseudonym}
            )
            for name in self.id_fields:
                naming = self.model._default_manager.filter(**{name: str(subject_id)})
                models.QuerySet.update(naming, **{name: str(pseudonym)})
            return changed
        return rows.delete()[1].get(self.model._meta.label, 0)

    def erase_many(self, pseudonyms: dict) -> dict:
        """`erase` for many subjects at once ({subject id: pseudonym}, a batch of
        erasures) in a few statements whatever their number; returns the rows changed
        per subject."""
        if len(pseudonyms) == 1:
            [(subject_id, pseudonym)] = pseudonyms.items()
            return {subject_id: self.erase(subject_id, pseudonym=pseudonym)}
        rows = self.model._default_manager.filter(**{f"{self.subject}__in": list(pseudonyms)})
        grouped = rows.order_by().values_list(self.subject).annotate(rows=Count("pk"))
        counts = {str(subject): count for subject, count in grouped}  # one spelling of ids
        if self.erasure is Erasure.PSEUDONYMIZE:
            subject = self.model._meta.get_field(self.subject)
            pseudonym = self.model._meta.get_field("subject_pseudonym")
            self._update_each(
                f"{_name(subject)} = NULL, {_name(pseudonym)} = %s",
                subject,
                [
                    (pseudonym, value, subject, key)
                    for key, value in pseudonyms.items()
                    if str(key) in counts
                ],
            )
            for name in self.id_fields:
                field = self.model._meta.get_field(name)
                self._update_each(
                    f"{_name(field)} = %s",
                    field,
                    [(field, str(value), field, str(key)) for key, value in pseudonyms.items()],
                )
        elif counts:
            rows.delete()
        return {subject_id: counts.get(str(subject_id), 0) for subject_id in pseudonyms}

    def _update_each(self, assignments: str, where: models.Field, rows: list[tuple]) -> None:
        """One UPDATE per subject, sent together (a pipeline on PostgreSQL): rows hold
        (field, value) pairs for the placeholders, the WHERE value last. Plain SQL, as
        append-only ledgers refuse the ORM's updates; the values go through each
        field's own conversion."""
        if not rows:
            return
        connection = connections[router.db_for_write(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        params = [
            [row[i].get_db_prep_save(row[i + 1], connection) for i in range(0, len(row), 2)]
            for row in rows
        ]
        # Table and column names come from the model's meta, the values are parameters.
        statement = f"UPDATE {table} SET {assignments} WHERE {_name(where)} = %s"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.executemany(statement, params)

    @property
    def encrypted_fields(self) -> tuple[str, ...]:
        return tuple(
            field.name
            for field in self.model._meta.get_fields()
            if isinstance(field, EncryptedTextField)
        )

    def rows_of(self, subject_id) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.subject: subject_id})


def _name(field: models.Field) -> str:
    return connections[router.db_for_write(field.model)].ops.quote_name(field.column)


_entries: dict[str, PersonalData] = {}


def register(
    model: type[models.Model],
    *,
    subject: str,
    category: str,
    fields: tuple[str, ...] | list[str],
    erasure: Erasure = Erasure.DELETE,
    legal_hold: str = "",
    hold_days: int = 0,
    id_fields: tuple[str, ...] = (),
) -> PersonalData:
    """Register a model's personal data; every named field must exist on the model.

    Pseudonymized rows stay: their subject field must be a nullable field of the model
    itself, and the model needs a `subject_pseudonym` field to keep them linked."""
    opts = model._meta
    for name in (subject, *fields, *id_fields):
        opts.get_field(name.split("__")[0])  # raises FieldDoesNotExist on a typo
    if Erasure(erasure) is Erasure.PSEUDONYMIZE:
        if "__" in subject or not opts.get_field(subject).null:
            raise ValueError(f"{opts.label}.{subject} must be a nullable field to pseudonymize.")
        opts.get_field("subject_pseudonym")
    if legal_hold and not hold_days:
        raise ValueError(f"{opts.label}: a legal hold needs hold_days.")
    entry = PersonalData(
        model,
        subject,
        category,
        tuple(fields),
        Erasure(erasure),
        legal_hold,
        hold_days,
        tuple(id_fields),
    )
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
    """Register handler(subject_ids) that removes the contribution of each subject in the
    list from derived data (a list: erasures run in batches). Erasure calls every handler
    after the keys are destroyed and before the rows go; a handler must be idempotent,
    because a re-run after a crash calls it again."""
    _forget_handlers[name] = handler


def forget_handlers() -> dict[str, Callable]:
    return dict(_forget_handlers)
