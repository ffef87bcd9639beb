"""Double opt-in through the API (v1.3), shared by the customers and consents views:
the evidence a storefront may send for a confirmation it ran itself, and the answers
for grants that wait for the customer to follow the mailed link."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from api.strict import AwareDateTimeField, StrictSerializer
from consent.evidence import Confirmation
from customers.times import future_errors

CONFIRMATION_HELP = (
    "Evidence of a confirmed double opt-in the storefront ran itself: the grants of "
    "purposes needing double opt-in (`CONSENT_DOUBLE_OPT_IN`) then take effect at once, "
    "and the ledger records that the storefront vouched for it. Without it, those grants "
    "wait for the customer to follow a link mailed to them."
)


class ConfirmationInput(StrictSerializer):
    """A double opt-in the storefront ran itself and vouches for."""

    confirmed_at = AwareDateTimeField(help_text="When the person confirmed, with a time zone.")
    method = serializers.SlugField(max_length=50, help_text="How, e.g. `email_link`.")

    def validate_confirmed_at(self, value):
        if future_errors(confirmed_at=value):
            raise serializers.ValidationError("This time is in the future.")
        return value

    def to_internal_value(self, data) -> Confirmation:
        value = super().to_internal_value(data)
        return Confirmation(value["confirmed_at"], value["method"], vouched=True)


def with_pending(body: dict, pending: list[str]) -> dict:
    """A created customer's answer: grants waiting for confirmation show false and are
    listed (the key only when some wait: the v1.2 answer otherwise)."""
    if not pending:
        return body
    for purpose in pending:
        body["consents"].setdefault(purpose, False)
    return {**body, "pending_confirmations": pending}


def pending_answer(purpose: str) -> dict:
    return {"purpose": purpose, "granted": False, "pending_confirmation": True}


PendingConfirmation = OpenApiResponse(
    response={
        "type": "object",
        "properties": {
            "purpose": {"type": "string"},
            "granted": {"type": "boolean", "enum": [False]},
            "pending_confirmation": {"type": "boolean", "enum": [True]},
        },
        "required": ["purpose", "granted", "pending_confirmation"],
        "additionalProperties": False,
    },
    description="A grant of a purpose needing double opt-in, sent without `confirmation`: "
    "not in force; the customer was mailed a link and it takes effect when they follow it.",
)
