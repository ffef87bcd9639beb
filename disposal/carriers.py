"""Data-carrier writes: register a carrier (by staff, or automatically for the copies
the system makes), sanitize it after NIST SP 800-88 (recorded by one person, verified
by a second one signed in as themselves), retire it, report it lost (which
opens an incident for the privacy desk), confirm an expired copy destroyed, close an
incident, and mark backups a retired master key made unreadable. Each action is one
transaction with its audit event; audit rows carry ids and codes only."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event, staff_actor
from disposal.models import (
    AUTOMATIC_KINDS,
    KEY_STORE,
    CarrierKind,
    CarrierStatus,
    DataCarrier,
    Incident,
    IncidentDecision,
    IncidentKind,
    IncidentStatus,
    Processor,
    SanitizationMethod,
    SanitizationRecord,
)
from vault import registry

OBJECT_TYPE = "disposal.datacarrier"


def known_holdings() -> list[str]:
    """What a carrier may be said to hold: registry categories and the key store."""
    return sorted({entry.category for entry in registry.entries()} | {KEY_STORE})


def _event(carrier: DataCarrier, action: AuditAction, actor: str, **metadata) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=carrier.pk,
        purpose="carriers",
        metadata={"kind": carrier.kind, **metadata},
    )


def _locked(carrier: DataCarrier) -> DataCarrier:
    return DataCarrier.objects.select_for_update().get(pk=carrier.pk)


@transaction.atomic
def register_carrier(
    *,
    kind: str,
    label: str,
    actor: str,
    location: str = "",
    custodian=None,
    holds=(),
    backups_up_to=None,
    encrypted: bool = False,
    encryption: str = "",
) -> DataCarrier:
    errors: dict[str, list[str]] = {}
    label = " ".join((label or "").split())
    holds = sorted(set(holds or ()))
    if kind not in CarrierKind.values:
        errors["kind"] = [_("Choose one of the kinds of carrier.")]
    if not label:
        errors["label"] = [_("Give the carrier a label.")]
    elif "@" in label or "@" in (location or ""):
        errors["label"] = [
            _("Labels and locations describe equipment; they must not hold personal data.")
        ]
    unknown = sorted(set(holds) - set(known_holdings()))
    if unknown:
        errors["holds"] = [_("Unknown data category: %(name)s.") % {"name": unknown[0]}]
    if custodian is not None and not custodian.is_active:
        errors["custodian"] = [_("Choose an active staff member.")]
    if errors:
        raise ValidationError(errors)
    carrier = DataCarrier.objects.create(
        kind=kind,
        label=label[:200],
        location=(location or "").strip()[:200],
        custodian=custodian,
        holds=holds,
        backups_up_to=backups_up_to,
        encrypted=bool(encrypted),
        encryption=(encryption or "").strip()[:200] if encrypted else "",
        registered_by=actor,
    )
    _event(carrier, AuditAction.CARRIER_REGISTERED, actor, status=carrier.status)
    return carrier


EXPIRY_SETTINGS = {
    CarrierKind.EXPORTED_FILE: "CARRIER_EXPORT_EXPIRY_DAYS",
    CarrierKind.PROCESSOR_COPY: "CARRIER_PROCESSOR_COPY_EXPIRY_DAYS",
}


@transaction.atomic
def register_copy(
    *,
    kind: CarrierKind,
    source: str,
    holds,
    actor: str,
    processor: Processor | None = None,
) -> DataCarrier:
    """A copy the system made (an export, a disclosure to a processor), registered with
    an expiry from settings; the privacy desk lists it once past expiry until someone
    confirms it destroyed. Callers run it inside the transaction that makes the copy."""
    if kind not in AUTOMATIC_KINDS:
        raise ValueError(f"{kind} is not a kind of automatic copy")
    now = timezone.now()
    expires_at = now + timedelta(days=getattr(settings, EXPIRY_SETTINGS[kind]))
    holds = sorted(set(holds))
    if processor is not None:
        # A processor keeps one copy per set of categories: a new disclosure adds to it
        # and moves its expiry on, rather than filling the register with one per customer.
        existing = (
            DataCarrier.objects.select_for_update()
            .filter(
                kind=kind,
                processor=processor,
                holds=holds,
                status=CarrierStatus.IN_SERVICE,
                expires_at__gt=now,
            )
            .first()
        )
        if existing is not None:
            existing.expires_at = expires_at
            existing.save(update_fields=["expires_at"])
            return existing
        # Stored in the register's own words (English), not the request's language.
        label = f"Copy held by processor {processor.name}"
    else:
        label = f"Export ({source}) made {timezone.localtime(now).date().isoformat()}"
    carrier = DataCarrier.objects.create(
        kind=kind,
        label=label[:200],
        holds=holds,
        source=source[:20],
        processor=processor,
        registered_by=actor,
        expires_at=expires_at,
    )
    _event(carrier, AuditAction.CARRIER_REGISTERED, actor, status=carrier.status, source=source)
    return carrier


@transaction.atomic
def sanitize_carrier(
    *,
    carrier: DataCarrier,
    method: str,
    performed_by,
    actor: str,
    tool: str = "",
    performed_at=None,
) -> SanitizationRecord:
    """Record a sanitization (NIST SP 800-88 Rev. 1: clear, purge, destroy; cryptographic
    erase only for a carrier that held ciphertext alone). The carrier then awaits
    verification: a second staff member, signed in as themselves, confirms it
    (`verify_sanitization`); nobody names a verifier on someone else's behalf."""
    carrier = _locked(carrier)
    errors: dict[str, list[str]] = {}
    if carrier.status == CarrierStatus.SANITIZED:
        errors["carrier"] = [_("This carrier is already sanitized.")]
    elif carrier.status == CarrierStatus.AWAITING_VERIFICATION:
        errors["carrier"] = [_("A sanitization of this carrier is already awaiting verification.")]
    if method not in SanitizationMethod.values:
        errors["method"] = [_("Choose a sanitization method.")]
    elif method == SanitizationMethod.CRYPTO_ERASE and not carrier.encrypted:
        errors["method"] = [
            _("Cryptographic erase fits only a carrier that held encrypted data alone.")
        ]
    if performed_by is None:
        errors["performed_by"] = [_("Say who performed the sanitization.")]
    elif not performed_by.is_active:
        errors["performed_by"] = [_("Choose an active staff member.")]
    performed_at = performed_at or timezone.now()
    if performed_at > timezone.now() + timedelta(minutes=5):
        errors["performed_at"] = [_("The sanitization cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    record = SanitizationRecord.objects.create(
        carrier=carrier,
        method=method,
        tool=(tool or "").strip()[:200],
        performed_by=performed_by,
        performed_at=performed_at,
        recorded_by=actor,
    )
    previous = carrier.status
    carrier.status = CarrierStatus.AWAITING_VERIFICATION
    carrier.save(update_fields=["status"])
    _event(
        carrier,
        AuditAction.CARRIER_SANITIZED,
        actor,
        previous=previous,
        status=carrier.status,
        method=method,
        record=record.pk,
    )
    return record


def may_verify(record: SanitizationRecord, user) -> bool:
    """Whoever performed or recorded a sanitization cannot be its verifier."""
    return (
        user is not None
        and user.is_active
        and user.pk != record.performed_by_id
        and staff_actor(user.pk) != record.recorded_by
    )


@transaction.atomic
def verify_sanitization(*, carrier: DataCarrier, verifier) -> SanitizationRecord:
    """The second person confirms a recorded sanitization as themselves (the verifier is
    the signed-in user, and the audit actor is that same user). The carrier is then
    sanitized and its certificate names who recorded and who verified."""
    carrier = _locked(carrier)
    if carrier.status != CarrierStatus.AWAITING_VERIFICATION:
        raise ValidationError(
            {"carrier": [_("No sanitization of this carrier awaits verification.")]}
        )
    record = SanitizationRecord.objects.select_for_update().get(carrier=carrier)
    if not may_verify(record, verifier):
        raise ValidationError(
            {
                "verified_by": [
                    _(
                        "You performed or recorded this sanitization: another staff member "
                        "must sign in and verify it."
                    )
                ]
            }
        )
    record.verified_by = verifier
    record.verified_at = timezone.now()
    record.save(update_fields=["verified_by", "verified_at"])
    carrier.status = CarrierStatus.SANITIZED
    carrier.sanitized_at = record.performed_at
    carrier.save(update_fields=["status", "sanitized_at"])
    _event(
        carrier,
        AuditAction.CARRIER_SANITIZATION_VERIFIED,
        staff_actor(verifier.pk),
        previous=CarrierStatus.AWAITING_VERIFICATION.value,
        status=carrier.status,
        record=record.pk,
    )
    return record


@transaction.atomic
def retire_carrier(*, carrier: DataCarrier, actor: str) -> DataCarrier:
    """Taken out of service, not yet sanitized: it still holds data."""
    carrier = _locked(carrier)
    if carrier.status != CarrierStatus.IN_SERVICE:
        raise ValidationError({"carrier": [_("Only a carrier in service can be retired.")]})
    carrier.status = CarrierStatus.RETIRED
    carrier.retired_at = timezone.now()
    carrier.save(update_fields=["status", "retired_at"])
    _event(carrier, AuditAction.CARRIER_RETIRED, actor, previous="in-service", status="retired")
    return carrier


@transaction.atomic
def report_lost(*, carrier: DataCarrier, actor: str) -> Incident:
    """A lost carrier is a possible breach: the privacy desk gets an incident that says
    which categories were on it and whether they were encrypted."""
    carrier = _locked(carrier)
    if carrier.status in (CarrierStatus.LOST, CarrierStatus.SANITIZED):
        raise ValidationError({"carrier": [_("This carrier is already lost or sanitized.")]})
    previous = carrier.status
    carrier.status = CarrierStatus.LOST
    carrier.lost_at = timezone.now()
    carrier.save(update_fields=["status", "lost_at"])
    _event(carrier, AuditAction.CARRIER_LOST, actor, previous=previous, status=carrier.status)
    incident = Incident.objects.create(
        kind=IncidentKind.LOST_CARRIER,
        carrier=carrier,
        discovered_at=carrier.lost_at,
        categories=list(carrier.holds),
        encrypted=carrier.encrypted,
        encryption=carrier.encryption,
        opened_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditAction.INCIDENT_OPENED,
        object_type="disposal.incident",
        object_id=incident.pk,
        purpose="carriers",
        metadata={"carrier": carrier.pk, "encrypted": carrier.encrypted},
    )
    return incident


@transaction.atomic
def confirm_destroyed(*, carrier: DataCarrier, actor: str) -> DataCarrier:
    """Someone confirms an exported file or a processor's copy is gone."""
    carrier = _locked(carrier)
    if carrier.kind not in AUTOMATIC_KINDS:
        raise ValidationError(
            {"carrier": [_("Disks and media are sanitized, with a verifier, not confirmed.")]}
        )
    if carrier.destroyed_confirmed_at is not None or carrier.status != CarrierStatus.IN_SERVICE:
        raise ValidationError({"carrier": [_("This copy is no longer in service.")]})
    now = timezone.now()
    carrier.status = CarrierStatus.RETIRED
    carrier.retired_at = now
    carrier.destroyed_confirmed_at = now
    carrier.destroyed_confirmed_by = actor
    carrier.save(
        update_fields=["status", "retired_at", "destroyed_confirmed_at", "destroyed_confirmed_by"]
    )
    _event(carrier, AuditAction.CARRIER_DESTROYED, actor, previous="in-service", status="retired")
    return carrier


@transaction.atomic
def close_incident(*, incident: Incident, decision: str, actor: str) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.OPEN:
        raise ValidationError({"decision": [_("This incident is already closed.")]})
    if decision not in IncidentDecision.values:
        raise ValidationError({"decision": [_("Record what was decided about notification.")]})
    incident.status = IncidentStatus.CLOSED
    incident.decision = decision
    incident.closed_at = timezone.now()
    incident.closed_by = actor
    incident.save(update_fields=["status", "decision", "closed_at", "closed_by"])
    record_event(
        actor=actor,
        action=AuditAction.INCIDENT_CLOSED,
        object_type="disposal.incident",
        object_id=incident.pk,
        purpose="carriers",
        metadata={"decision": decision},
    )
    return incident


@transaction.atomic
def mark_unreadable(retirement, actor: str) -> list[uuid.UUID]:
    """vault retirement handler: backup media holding backups from before the last
    re-wrap can no longer be opened once the master key is retired (key-store backups),
    and erased customers' data on them stays unreadable for good."""
    carriers = list(
        DataCarrier.objects.select_for_update()
        .filter(
            kind=CarrierKind.BACKUP_MEDIUM,
            backups_up_to__lt=retirement.backups_before,
            unreadable_since__isnull=True,
        )
        .exclude(status=CarrierStatus.SANITIZED)
        .order_by("registered_at")
    )
    for carrier in carriers:
        carrier.unreadable_since = retirement.retired_at
        carrier.unreadable_key = retirement.key_id[:16]
        carrier.save(update_fields=["unreadable_since", "unreadable_key"])
        _event(carrier, AuditAction.CARRIER_UNREADABLE, actor, key=retirement.key_id[:16])
    return [carrier.pk for carrier in carriers]
