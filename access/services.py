"""Access writes: reveals with a purpose, and the audit event of every staff page that
shows a customer's personal data. Both are audit events naming the staff member by id
("staff:<id>") and their role; the customer is later told the role only.

Events the privacy officer's access review must look at carry metadata "review":
"break_glass" on a reveal whose purpose is a typed reason, "self_made" on a view by
someone who reached the customer only through work they opened or took themselves."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access.models import RevealReason
from access.policy import (
    BREAK_GLASS,
    FIELD_LABELS,
    PURPOSE_FIELDS,
    Denial,
    Field,
    PurposeKind,
    Review,
    can_reveal,
    purpose_fields,
    purpose_items,
    reach_review,
)
from access.roles import primary_role
from audit.models import AuditAction
from audit.services import record_event, staff_actor

REASON_MIN, REASON_MAX = 10, 500
PURPOSE_KINDS = tuple(kind.value for kind in PurposeKind)


class RevealDenied(PermissionDenied):
    def __init__(self, denial: Denial):
        self.denial = denial
        super().__init__(denial.value)


@dataclass(frozen=True)
class RevealGrant:
    customer_id: uuid.UUID
    fields: tuple[str, ...]
    purpose: str


def _clean_fields(fields) -> list[Field]:
    try:
        cleaned = sorted({Field(name) for name in fields})
    except ValueError:
        cleaned = []
    if not cleaned:
        raise ValidationError({"fields": [_("Choose what to reveal.")]})
    return cleaned


def _clean_purpose(
    user, customer_id, kind: str, ref: str, reason: str, fields: list[Field]
) -> tuple[str, str]:
    """(audit purpose code or "" for a typed reason, the cleaned reason text)."""
    if kind not in PURPOSE_KINDS:
        raise ValidationError({"purpose": [_("Choose why you need to see this.")]})
    if kind == BREAK_GLASS:
        text = (reason or "").strip()
        if len(text) < REASON_MIN:
            raise ValidationError(
                {"reason": [_("Type the reason in at least %(n)d characters.") % {"n": REASON_MIN}]}
            )
        if len(text) > REASON_MAX:
            raise ValidationError(
                {"reason": [_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}]}
            )
        return "", text
    purposes = {item.purpose for item in purpose_items(user, customer_id)}
    code = f"{kind}:{ref}"
    if code not in purposes:
        raise ValidationError(
            {
                "purpose": [
                    _(
                        "Choose an open item the customer started or someone else assigned "
                        "to you. Work you opened or took yourself is not a reason: type one "
                        "instead (it is flagged for review)."
                    )
                ]
            }
        )
    beyond = [field for field in fields if field not in purpose_fields(user, customer_id, code)]
    if beyond:
        allowed = [field for field in Field if field in PURPOSE_FIELDS[PurposeKind(kind)]]
        raise ValidationError(
            {
                "fields": [
                    _("%(purpose)s reveals only: %(fields)s.")
                    % {
                        "purpose": PurposeKind(kind).label,
                        "fields": ", ".join(str(FIELD_LABELS[field]) for field in allowed),
                    }
                ]
            }
        )
    return code, ""


@transaction.atomic
def reveal_fields(
    *, user, customer_id: uuid.UUID, fields, purpose_kind: str, purpose_ref: str = "", reason=""
) -> RevealGrant:
    """Check the user may reveal every field for this customer and record why.

    Raises RevealDenied (no permission, or an agent without an assigned item) before
    looking at the purpose, and ValidationError for a missing or unknown purpose."""
    customer_id = uuid.UUID(str(customer_id))
    cleaned = _clean_fields(fields)
    for field in cleaned:
        decision = can_reveal(user, customer_id, field)
        if not decision:
            raise RevealDenied(decision.denial)
    purpose, text = _clean_purpose(user, customer_id, purpose_kind, purpose_ref, reason, cleaned)
    if text:
        typed = RevealReason(subject_id=customer_id, reason=text)
        typed.save()
        purpose = f"reason:{typed.pk}"
        RevealReason.objects.filter(pk=typed.pk).update(purpose=purpose)
    role = primary_role(user)
    metadata = {"fields": ",".join(cleaned), "role": role.value if role else ""}
    if text:
        metadata["review"] = Review.BREAK_GLASS.value
    record_event(
        actor=staff_actor(user.pk),
        action=AuditAction.CUSTOMER_REVEALED,
        object_type="customers.customer",
        object_id=customer_id,
        subject_id=customer_id,
        purpose=purpose,
        metadata=metadata,
    )
    return RevealGrant(customer_id, tuple(cleaned), purpose)


@transaction.atomic
def record_page_view(*, user, customer_id: uuid.UUID, page: str) -> None:
    """One audit event per staff page that shows a customer's personal data, flagged
    "self_made" when the user reached the customer only through their own work."""
    role = primary_role(user)
    metadata = {"role": role.value if role else ""}
    review = reach_review(user, customer_id)
    if review:
        metadata["review"] = review.value
    record_event(
        actor=staff_actor(user.pk),
        action=AuditAction.CUSTOMER_VIEWED,
        object_type=f"dashboard.{page}",
        object_id=customer_id,
        subject_id=customer_id,
        purpose="staff_view",
        metadata=metadata,
    )
