"""Leads by hand: staff add a lead they met (a call, a fair, a letter) with the evidence
of what the person agreed to, edit it, plan its next step and write notes on it.

The evidence a staff entry needs is how the person agreed (the channel) and how the
notice was given (read out, or sent): both are recorded on each consent row, as the
capture's channel. A purpose that needs double opt-in is granted only through the
link mailed to the lead, as on the capture form. Every write records its audit event
(ids and codes only); names, numbers, next steps and notes stay encrypted."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditAction
from audit.services import record_event
from leads.models import CaptureMethod, Lead, LeadNote, LeadStatus
from leads.services import Capture, capture_lead, update_lead

# How the person told us what they agree to, and how they were given the notice.
AGREED_BY = {
    "phone": gettext_lazy("On the phone"),
    "in_person": gettext_lazy("In person"),
    "letter": gettext_lazy("By letter"),
    "email": gettext_lazy("By email"),
}
NOTICE_GIVEN = {
    "read_out": gettext_lazy("Notice read out"),
    "sent": gettext_lazy("Notice sent"),
}
NEXT_STEP_MAX = 200
NOTE_MAX = 4000


def staff_channel(*, agreed_by: str, notice: str) -> str:
    return f"{agreed_by}/{notice}"


def channel_label(channel: str) -> str:
    """A staff entry's channel in words ("On the phone, notice read out"); other
    channels (a form's address, an import's source) are shown as they are."""
    agreed_by, _sep, notice = (channel or "").partition("/")
    if agreed_by in AGREED_BY and notice in NOTICE_GIVEN:
        return f"{AGREED_BY[agreed_by]} · {NOTICE_GIVEN[notice]}"
    return channel


def _clean_plan(next_step: str | None, next_step_on: date | None) -> tuple[str | None, date | None]:
    text = (next_step or "").strip() or None
    if text and len(text) > NEXT_STEP_MAX:
        raise ValidationError(
            {"next_step": [_("Keep the next step under %(n)d characters.") % {"n": NEXT_STEP_MAX}]}
        )
    if next_step_on is not None and not text:
        raise ValidationError({"next_step": [_("Say what the next step is.")]})
    return text, next_step_on


def add_lead(
    *,
    contact: dict,
    source: str,
    purposes: list[str],
    agreed_by: str,
    notice: str,
    actor: str,
    owner=None,
    next_step: str | None = None,
    next_step_on: date | None = None,
) -> Capture:
    """A lead staff met: stored only with at least one purpose and the evidence of how
    it was agreed; the same address is merged into its lead, never doubled."""
    errors = {}
    if agreed_by not in AGREED_BY:
        errors["agreed_by"] = [_("Say how the person agreed.")]
    if notice not in NOTICE_GIVEN:
        errors["notice"] = [_("Say how the person was given the notice.")]
    try:
        _clean_plan(next_step, next_step_on)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    capture = capture_lead(
        contact=contact,
        purposes=purposes,
        source=source,
        method=CaptureMethod.STAFF,
        channel=staff_channel(agreed_by=agreed_by, notice=notice),
        actor=actor,
    )
    if capture.lead is not None and (owner is not None or next_step):
        plan_lead(
            lead=capture.lead,
            owner=owner,
            next_step=next_step,
            next_step_on=next_step_on,
            actor=actor,
        )
    return capture


@transaction.atomic
def edit_lead(
    *,
    lead: Lead,
    contact: dict,
    source: str,
    owner,
    next_step: str | None,
    next_step_on: date | None,
    actor: str,
) -> Lead:
    """Correct a lead's details and source, and set its owner and next step."""
    errors = {}
    try:
        _clean_plan(next_step, next_step_on)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not source:
        errors["source"] = [_("Say where the lead came from.")]
    if errors:
        raise ValidationError(errors)
    lead = update_lead(lead=lead, actor=actor, **contact)
    if source != lead.source:
        lead.source = source
        lead.save(update_fields=["source", "updated_at"])
        _event(lead, actor, AuditAction.LEAD_UPDATED, fields="source")
    return plan_lead(
        lead=lead, owner=owner, next_step=next_step, next_step_on=next_step_on, actor=actor
    )


@transaction.atomic
def plan_lead(
    *, lead: Lead, owner, next_step: str | None, next_step_on: date | None, actor: str
) -> Lead:
    """Who owns the lead and what happens next (a short text and a date)."""
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("This lead is already a customer.")]})
    text, when = _clean_plan(next_step, next_step_on)
    changed = []
    if (owner.pk if owner else None) != lead.owner_id:
        lead.owner = owner
        changed.append("owner")
    if text != lead.next_step or when != lead.next_step_on:
        lead.next_step, lead.next_step_on = text, when
        changed.append("next_step")
    if changed:
        lead.save()
        _event(
            lead,
            actor,
            AuditAction.LEAD_PLANNED,
            fields=",".join(changed),
            owner=lead.owner_id,
            due=when.isoformat() if when else None,
        )
    return lead


@transaction.atomic
def add_lead_note(*, lead: Lead, body: str, actor: str) -> LeadNote:
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("This lead is already a customer.")]})
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write the note.")]})
    if len(text) > NOTE_MAX:
        raise ValidationError(
            {"body": [_("Keep a note under %(n)d characters.") % {"n": NOTE_MAX}]}
        )
    note = LeadNote.objects.create(lead=lead, body=text, author=actor)
    _event(lead, actor, AuditAction.LEAD_NOTE_ADDED, note=note.pk)
    return note


def _event(lead: Lead, actor: str, action: AuditAction, **metadata) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="leads.lead",
        object_id=lead.pk,
        subject_id=lead.pk,
        purpose="leads",
        metadata=metadata,
    )
