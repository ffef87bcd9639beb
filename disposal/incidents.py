"""Incident writes for the privacy desk: record a personal-data breach (a lost carrier
opens its own incident, disposal.carriers.report_lost), update how many customers and
which categories it affects, and record whom it was reported to and when. Each action
is one transaction with its audit event; incidents and audit rows hold counts,
categories and codes, never whose data."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event
from disposal.carriers import known_holdings
from disposal.models import (
    Incident,
    IncidentKind,
    IncidentReport,
    IncidentStatus,
    ReportRecipient,
)

OBJECT_TYPE = "disposal.incident"


def _check_categories(categories: list[str]) -> list[str]:
    unknown = sorted(set(categories) - set(known_holdings()))
    if unknown:
        raise ValidationError({"categories": [_("Choose categories from the list.")]})
    return sorted(set(categories))


def _check_past(when: datetime, field: str) -> None:
    if when > timezone.now():
        raise ValidationError({field: [_("This time is in the future.")]})


@transaction.atomic
def record_breach(
    *,
    summary: str,
    discovered_at: datetime,
    categories: list[str],
    customers_affected: int | None,
    encrypted: bool,
    actor: str,
) -> Incident:
    """A breach someone found (a misdirected mail, a stolen laptop, an intrusion): the
    notification clock runs from when it was discovered."""
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": [_("Say what happened, without personal data.")]})
    _check_past(discovered_at, "discovered_at")
    incident = Incident.objects.create(
        kind=IncidentKind.BREACH,
        summary=summary,
        discovered_at=discovered_at,
        categories=_check_categories(categories),
        customers_affected=customers_affected,
        encrypted=encrypted,
        opened_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditAction.INCIDENT_OPENED,
        object_type=OBJECT_TYPE,
        object_id=incident.pk,
        purpose="incidents",
        metadata={"kind": incident.kind, "encrypted": encrypted},
    )
    return incident


def _open(incident: Incident) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.OPEN:
        raise ValidationError({"__all__": [_("This incident is already closed.")]})
    return incident


@transaction.atomic
def assess_incident(
    *, incident: Incident, customers_affected: int | None, categories: list[str], actor: str
) -> Incident:
    """What is known so far about whom it touches: a count of customers and the
    categories of their data."""
    incident = _open(incident)
    incident.customers_affected = customers_affected
    incident.categories = _check_categories(categories)
    incident.save(update_fields=["customers_affected", "categories"])
    record_event(
        actor=actor,
        action=AuditAction.INCIDENT_ASSESSED,
        object_type=OBJECT_TYPE,
        object_id=incident.pk,
        purpose="incidents",
        metadata={
            "customers_affected": customers_affected,
            "categories": len(incident.categories),
        },
    )
    return incident


@transaction.atomic
def record_report(
    *,
    incident: Incident,
    recipient: str,
    reported_at: datetime,
    reference: str,
    customers_notified: int | None,
    actor: str,
) -> IncidentReport:
    """The incident was reported to someone (the authority, the customers, ...): when,
    and the reference they gave. Reports may be recorded after the incident is closed
    (a late acknowledgement), never before it was discovered or in the future."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if recipient not in ReportRecipient.values:
        raise ValidationError({"recipient": [_("Choose whom it was reported to.")]})
    _check_past(reported_at, "reported_at")
    if reported_at < incident.discovered_at.replace(second=0, microsecond=0):
        raise ValidationError({"reported_at": [_("This is before the incident was discovered.")]})
    if recipient == ReportRecipient.CUSTOMERS and customers_notified is None:
        raise ValidationError({"customers_notified": [_("Say how many customers were notified.")]})
    report = IncidentReport.objects.create(
        incident=incident,
        recipient=recipient,
        reported_at=reported_at,
        reference=reference.strip(),
        customers_notified=customers_notified,
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditAction.INCIDENT_REPORTED,
        object_type=OBJECT_TYPE,
        object_id=incident.pk,
        purpose="incidents",
        metadata={"recipient": recipient, "customers_notified": customers_notified},
    )
    return report
