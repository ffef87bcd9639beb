"""Re-indexing: every blind index recomputed under the current blind-index key.

Run by `manage.py rotate_index_key` after VAULT_INDEX_KEY was replaced (the old key kept
in VAULT_RETIRED_INDEX_KEYS meanwhile, so lookups keep working). Index values are
recomputed from the decrypted source values, so the old key is not needed for it; a row
whose data key is destroyed (an erasure under way) loses its index values, as erasure
would remove them anyway. Works on any model with a BlindIndexField, without importing
the apps that own them. Index values kept outside a BlindIndexField (the name tokens,
several per row) are rebuilt by the reindexer their app registers here.
"""

from collections.abc import Callable

from django.apps import apps
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from vault.exceptions import KeyDestroyed
from vault.fields import BlindIndexField
from vault.keys import key_scope

# name -> reindex(batch_size=..., progress=...) -> {label: rows changed}, registered by
# the app that owns index values a BlindIndexField does not hold (vault imports no app).
_reindexers: dict[str, Callable[..., dict[str, int]]] = {}


def register_reindexer(name: str, reindexer: Callable[..., dict[str, int]]) -> None:
    _reindexers[name] = reindexer


def indexed_models() -> list[tuple[type, list[BlindIndexField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        if fields:
            found.append((model, fields))
    return found


@sensitive_variables()  # it holds decrypted emails and external ids
def reindex_blind_indexes(
    *, batch_size: int = 500, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Recompute every blind index under the current key; returns rows changed per model.
    Idempotent: a second run changes nothing."""
    changed: dict[str, int] = {}
    for model, fields in indexed_models():
        label = model._meta.label_lower
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        changed[label] = 0
        for start in range(0, len(pks), batch_size):
            with key_scope(), transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update().filter(
                        pk__in=pks[start : start + batch_size]
                    )
                )
                updated = []
                for row in rows:
                    dirty = False
                    for field in fields:
                        try:
                            plain = getattr(row, field.source)
                        except KeyDestroyed:
                            plain = None
                        value = None if plain is None else field.digest(plain)
                        if getattr(row, field.attname) != value:
                            setattr(row, field.attname, value)
                            dirty = True
                    if dirty:
                        updated.append(row)
                # A plain UPDATE of the index columns: pre_save would only recompute them.
                for row in updated:
                    model._default_manager.filter(pk=row.pk).update(
                        **{field.attname: getattr(row, field.attname) for field in fields}
                    )
                changed[label] += len(updated)
            if progress:
                progress(label, min(start + batch_size, len(pks)), len(pks))
    for reindexer in _reindexers.values():
        changed.update(reindexer(batch_size=batch_size, progress=progress))
    return changed
