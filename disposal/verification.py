"""Proof and repair: `verify_erasure` looks everywhere for what is left of an erased
subject; `replay_erasures` re-applies erasures after a database restore."""

import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditAction
from audit.services import SYSTEM, record_event
from disposal.models import (
    DeliveryStatus,
    DisposalKind,
    DisposalRecord,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    WebhookDelivery,
)
from disposal.services import open_request_for, run_erasure
from vault import registry
from vault.exceptions import KeyDestroyed, KeyMissing
from vault.fields import EncryptedTextField
from vault.keys import data_cipher
from vault.models import DataKey, Tombstone
from vault.routers import KEYS_DB
from vault.services import subject_pseudonym


@dataclass
class Verification:
    request: ErasureRequest
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables_searched: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
    ]


def _matches(model, subject_id: uuid.UUID) -> int:
    """Rows of any data-database table that mention the subject id anywhere."""
    query = models.Q()
    for f in model._meta.concrete_fields:
        if isinstance(f, EncryptedTextField):
            continue
        target = f.target_field if f.is_relation else f
        if isinstance(target, models.UUIDField):
            query |= models.Q(**{f.attname: subject_id})
    annotations = {}
    for f in _text_fields(model):
        alias = f"_text_{f.attname}"
        annotations[alias] = Cast(f.attname, models.TextField())
        for form in (str(subject_id), subject_id.hex):
            query |= models.Q(**{f"{alias}__icontains": form})
    if not query:
        return 0
    return model._default_manager.annotate(**annotations).filter(query).count()


def subject_of(request: ErasureRequest) -> uuid.UUID | None:
    """The id an erasure request was about. A done request no longer holds it; the key
    store's destroyed keys do (kept apart from the data database), and the one whose
    pseudonym is the request's is the subject."""
    if request.subject_id is not None:
        return request.subject_id
    destroyed = DataKey.objects.filter(destroyed_at__isnull=False).values_list(
        "subject_id", flat=True
    )
    for subject_id in destroyed.iterator(chunk_size=2000):
        if subject_pseudonym(subject_id) == request.subject_pseudonym:
            return subject_id
    return None


def verify_erasure(request_id, subject_id: uuid.UUID | None = None) -> Verification:
    """Search every table of the data database (any column that could hold the id, in
    any form) and the key store for what is left of the subject. The request's own row
    is searched like any other: once done it must not hold the id either."""
    request = ErasureRequest.objects.get(pk=request_id)
    result = Verification(request)
    if subject_id is not None and subject_pseudonym(subject_id) != request.subject_pseudonym:
        raise ValueError("This id is not the subject of this erasure request.")
    subject_id = subject_id or subject_of(request)
    if subject_id is None:
        result.findings.append(
            "The subject's id cannot be found (no destroyed key in the key store has this "
            "pseudonym); give it with --customer-id to search for it."
        )
        return result
    if request.status != ErasureStatus.DONE:
        steps = ", ".join(request.steps_done) or "none"
        result.findings.append(f"The request is {request.status}; steps done: {steps}.")
    # The key store: the key must be gone, and the tombstone there.
    key = DataKey.objects.filter(subject_id=subject_id).first()
    if key is not None and not key.is_destroyed:
        result.findings.append("The key store still holds a live data key for the subject.")
    else:
        try:
            data_cipher(subject_id)
        except (KeyDestroyed, KeyMissing):
            result.notes.append(
                "No key opens the subject's ciphertext: every copy of the data database, "
                "backups included, is unreadable for this subject."
            )
    if not Tombstone.objects.filter(pseudonym=request.subject_pseudonym).exists():
        result.findings.append("The tombstone log has no entry for the subject.")
    # Every table of the data database, registered or not.
    for model in apps.get_models():
        if model._meta.app_label == "vault":
            continue
        result.tables_searched += 1
        found = _matches(model, subject_id)
        if found:
            result.findings.append(
                f"{model._meta.label_lower}: {found} row(s) refer to the subject."
            )
    pending = (
        WebhookDelivery.objects.filter(erasure_request=request)
        .exclude(status=DeliveryStatus.DELIVERED)
        .count()
    )
    if pending:
        result.notes.append(
            f"{pending} processor notice(s) not yet acknowledged keep the id sealed under "
            "the vault's system key until delivered."
        )
    for entry in registry.entries():
        if entry.erasure is registry.Erasure.PSEUDONYMIZE:
            kept = entry.model._default_manager.filter(
                subject_pseudonym=request.subject_pseudonym
            ).count()
            if kept:
                why = f" ({entry.legal_hold})" if entry.legal_hold else ""
                result.notes.append(f"{entry.label}: {kept} row(s) kept under the pseudonym{why}.")
    return result


def erased_pseudonyms() -> dict[uuid.UUID, object]:
    """Every erasure on record: the key store's tombstone log and the certificates in
    the data database (either one may be the older copy after a restore)."""
    known = dict(Tombstone.objects.values_list("pseudonym", "erased_at"))
    for pseudonym, created_at in DisposalRecord.objects.filter(
        kind=DisposalKind.ERASURE
    ).values_list("subject_pseudonym", "created_at"):
        known.setdefault(pseudonym, created_at)
    return known


def resurrected_subjects() -> set[uuid.UUID]:
    """Subject ids present in the data database or live in the key store whose
    pseudonym is in the erasure log: what a restore brought back."""
    erased = erased_pseudonyms()
    candidates: set[uuid.UUID] = set()
    for entry in registry.entries():
        if "__" in entry.subject:
            continue  # reached through another table, which is searched itself
        column = entry.model._meta.get_field(entry.subject).attname
        candidates.update(
            entry.model._default_manager.exclude(**{f"{column}__isnull": True})
            .values_list(column, flat=True)
            .distinct()
        )
    candidates.update(
        DataKey.objects.using(KEYS_DB)
        .filter(destroyed_at__isnull=True)
        .values_list("subject_id", flat=True)
    )
    return {
        uuid.UUID(str(subject_id))
        for subject_id in candidates
        if subject_pseudonym(subject_id) in erased
    }


def replay_erasures(*, dry_run: bool = False, progress=None) -> list[uuid.UUID]:
    """Erase again, through the whole pipeline and at once, everyone a restore brought
    back. Returns the erasure requests run (or, in a dry run, the subjects found)."""
    subjects = sorted(resurrected_subjects())
    if dry_run:
        return subjects
    done = []
    for count, subject_id in enumerate(subjects, start=1):
        request = open_request_for(subject_id) or ErasureRequest.objects.create(
            subject_id=subject_id,
            subject_pseudonym=subject_pseudonym(subject_id),
            source=ErasureSource.REPLAY,
            requested_by=SYSTEM,
            due_by=timezone.localdate(),
        )
        run_erasure(request_id=request.pk)
        done.append(request.pk)
        if progress:
            progress(count, len(subjects))
    with transaction.atomic():
        record_event(
            actor=SYSTEM,
            action=AuditAction.ERASURES_REPLAYED,
            object_type="disposal.erasurerequest",
            object_id="replay",
            purpose="erasure",
            metadata={"subjects": len(done)},
        )
    return done
