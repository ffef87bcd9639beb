"""Access review writes: a privacy officer marks a reveal or view of customer data as
reviewed, with an optional note. The mark is its own row (audit rows are append-only)
and writes its own audit event, which holds the event's id and the flags, never the note
(staff free text that may mention the customer: encrypted under the customer's key)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from access.models import AccessReview
from access.policy import Action, may
from access.roles import primary_role
from access.selectors import ACTIONS
from audit.models import AuditAction, AuditEvent
from audit.services import record_event, staff_actor

NOTE_MAX = 1000


@transaction.atomic
def mark_reviewed(*, user, event_id: int, note: str = "") -> AccessReview:
    """Mark one access event reviewed. Refuses a user who may not use the privacy desk,
    an unknown event or one that is not an access, and a second mark."""
    if not may(user, Action.PRIVACY_DESK):
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": [_("Keep the note under %(n)d characters.") % {"n": NOTE_MAX}]}
        )
    event = AuditEvent.objects.filter(pk=event_id, action__in=ACTIONS).first()
    if event is None:
        raise ValidationError({"event": [_("There is no such access to review.")]})
    if note and event.subject_id is None:
        raise ValidationError(
            {"note": [_("This customer's data is erased: record the review without a note.")]}
        )
    already = ValidationError({"event": [_("This access is already marked reviewed.")]})
    if AccessReview.objects.filter(event=event).exists():
        raise already
    try:
        # Two officers marking at once: the unique event makes one mark, the other is told.
        with transaction.atomic():
            review = AccessReview.objects.create(
                event=event,
                reviewer=user,
                subject_id=event.subject_id,
                subject_pseudonym=event.subject_pseudonym,
                note=note or None,
            )
    except IntegrityError:
        raise already from None
    role = primary_role(user)
    record_event(
        actor=staff_actor(user.pk),
        action=AuditAction.ACCESS_REVIEWED,
        object_type="audit.auditevent",
        object_id=event.pk,
        purpose="access_review",
        metadata={"review": review.pk, "noted": bool(note), "role": role.value if role else ""},
    )
    return review
