"""A lead's activity timeline for staff: what happened to it, when and by whom, from
its audit events (ids and codes, put into words here) and its notes (decrypted: call
inside a key scope). Views of the lead are left out: they are the audit log's, not the
lead's story."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from access.roles import staff_authors
from audit.actors import describe_actor
from audit.models import AuditAction, AuditEvent
from consent.vocabulary import purpose_name
from leads.models import CaptureMethod, DealStage, Lead, LeadStatus

SHOWN = (
    AuditAction.LEAD_CAPTURED,
    AuditAction.LEAD_UPDATED,
    AuditAction.LEAD_CONTACTED,
    AuditAction.LEAD_STATUS_CHANGED,
    AuditAction.LEAD_PLANNED,
    AuditAction.LEAD_CONFIRMATION_SENT,
    AuditAction.LEAD_CONSENT_CONFIRMED,
    AuditAction.DEAL_SAVED,
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    who: str
    note: str = ""


def _what(event: AuditEvent) -> str:
    data = event.metadata or {}
    action = event.action
    if action == AuditAction.LEAD_CAPTURED:
        method = dict(CaptureMethod.choices).get(data.get("method"), "")
        if data.get("outcome") == "merged":
            return _("Added again (%(method)s): merged into this lead") % {"method": method}
        return _("Lead added (%(method)s)") % {"method": method}
    if action == AuditAction.LEAD_UPDATED:
        return _("Details corrected")
    if action == AuditAction.LEAD_CONTACTED:
        return _("Contact recorded")
    if action == AuditAction.LEAD_STATUS_CHANGED:
        status = dict(LeadStatus.choices).get(data.get("status"), "")
        return _("Status changed to %(status)s") % {"status": status}
    if action == AuditAction.LEAD_PLANNED:
        return _("Owner or next step changed")
    if action == AuditAction.LEAD_CONFIRMATION_SENT:
        return _("Confirmation email sent")
    if action == AuditAction.LEAD_CONSENT_CONFIRMED:
        return _("Confirmed by email: %(purpose)s") % {"purpose": purpose_name(event.purpose)}
    stage = dict(DealStage.choices).get(data.get("stage"), "")
    return _("Deal saved (%(stage)s)") % {"stage": stage}


def lead_timeline(lead: Lead) -> list[Entry]:
    """Newest first: the lead's events and notes, each with its author ("username
    (Role)" for staff; "System" or the surface otherwise)."""
    events = list(AuditEvent.objects.filter(subject_id=lead.pk, action__in=SHOWN))
    notes = list(lead.notes.all())
    authors = staff_authors([e.actor for e in events] + [n.author for n in notes])

    def who(actor: str) -> str:
        if actor in authors:
            return authors[actor]
        if actor == "anonymous":  # a capture form (leads.views)
            return _("The lead")
        return describe_actor(actor)

    entries = [Entry(e.occurred_at, _what(e), who(e.actor)) for e in events]
    entries += [Entry(n.created_at, _("Note"), who(n.author), n.body) for n in notes]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
