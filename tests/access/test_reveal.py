"""Reveal with a purpose: allowed reveals are audited with their purpose, typed reasons
live encrypted under the customer's key (never in the audit log) and go with erasure;
denied or purposeless reveals leave no trace of a reveal."""

import pytest
from django.core.exceptions import ValidationError

from access.models import RevealReason
from access.policy import Denial
from access.roles import Role
from access.services import RevealDenied, record_page_view, reveal_fields
from audit.models import AuditAction, AuditEvent
from disposal.models import ErasureSource
from disposal.services import request_erasure, run_erasure
from privacy.models import RequestChannel, RequestKind
from privacy.services import assign_request, open_request

pytestmark = pytest.mark.django_db(databases="__all__")

REASON = "Customer phoned about a missing parcel for Ada Lovelace"


def _reveals(customer):
    return AuditEvent.objects.filter(subject_id=customer.pk, action=AuditAction.CUSTOMER_REVEALED)


def test_a_reveal_for_an_assigned_request_is_audited_with_that_request_as_purpose(
    make_staff, customer
):
    agent = make_staff(Role.SUPPORT_AGENT)
    request = open_request(
        customer=customer, kind=RequestKind.ACCESS, channel=RequestChannel.EMAIL, actor="system"
    )
    assign_request(request=request, assignee=agent, actor="system")
    grant = reveal_fields(
        user=agent,
        customer_id=customer.pk,
        fields=["email", "phone"],
        purpose_kind="request",
        purpose_ref=str(request.pk),
    )
    assert grant.fields == ("email", "phone")
    event = _reveals(customer).get()
    assert event.purpose == f"request:{request.pk}"
    assert event.actor == f"staff:{agent.pk}"
    assert event.metadata == {"fields": "email,phone", "role": "support_agent"}


def test_a_typed_reason_is_kept_encrypted_for_the_customer_and_named_by_id_in_the_audit(
    make_staff, customer
):
    officer = make_staff(Role.PRIVACY_OFFICER)
    reveal_fields(
        user=officer,
        customer_id=customer.pk,
        fields=["address"],
        purpose_kind="reason",
        reason=REASON,
    )
    stored = RevealReason.objects.get(subject_id=customer.pk)
    event = _reveals(customer).get()
    assert event.purpose == f"reason:{stored.pk}" == stored.purpose
    assert stored.reason == REASON
    assert b"Lovelace" not in bytes(RevealReason.objects.values_list("reason", flat=True)[0])
    assert "Lovelace" not in str(event.metadata) + event.purpose


def test_erasure_takes_the_typed_reasons_with_it(make_staff, customer):
    officer = make_staff(Role.PRIVACY_OFFICER)
    reveal_fields(
        user=officer,
        customer_id=customer.pk,
        fields=["email"],
        purpose_kind="reason",
        reason=REASON,
    )
    request = request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="system")
    run_erasure(request_id=request.pk)
    assert not RevealReason.objects.filter(subject_id=customer.pk).exists()


def test_an_agent_without_an_assigned_item_is_denied_and_nothing_is_recorded(make_staff, customer):
    agent = make_staff(Role.SUPPORT_AGENT)
    with pytest.raises(RevealDenied) as denied:
        reveal_fields(
            user=agent,
            customer_id=customer.pk,
            fields=["email"],
            purpose_kind="reason",
            reason=REASON,
        )
    assert denied.value.denial is Denial.NOT_ASSIGNED
    assert not _reveals(customer).exists()
    assert not RevealReason.objects.exists()


def test_marketing_may_not_reveal_even_with_a_reason(make_staff, customer):
    with pytest.raises(RevealDenied) as denied:
        reveal_fields(
            user=make_staff(Role.MARKETING),
            customer_id=customer.pk,
            fields=["name"],
            purpose_kind="reason",
            reason=REASON,
        )
    assert denied.value.denial is Denial.ACTION


@pytest.mark.parametrize(
    ("kind", "ref", "reason", "field"),
    [
        ("", "", "", "purpose"),
        ("reason", "", "too short", "reason"),
        ("reason", "", "x" * 501, "reason"),
        ("request", "00000000-0000-0000-0000-000000000000", "", "purpose"),
        ("ticket", "42", "", "purpose"),
    ],
)
def test_a_reveal_needs_a_purpose_the_user_may_give(make_staff, customer, kind, ref, reason, field):
    officer = make_staff(Role.PRIVACY_OFFICER)
    with pytest.raises(ValidationError) as error:
        reveal_fields(
            user=officer,
            customer_id=customer.pk,
            fields=["email"],
            purpose_kind=kind,
            purpose_ref=ref,
            reason=reason,
        )
    assert field in error.value.message_dict
    assert not _reveals(customer).exists()


def test_a_reveal_must_name_known_fields(make_staff, customer):
    with pytest.raises(ValidationError) as error:
        reveal_fields(
            user=make_staff(Role.PRIVACY_OFFICER),
            customer_id=customer.pk,
            fields=["password"],
            purpose_kind="reason",
            reason=REASON,
        )
    assert "fields" in error.value.message_dict


def test_a_page_view_is_one_audit_event_with_the_role(make_staff, customer):
    agent = make_staff(Role.SUPPORT_AGENT)
    record_page_view(user=agent, customer_id=customer.pk, page="customer_360")
    event = AuditEvent.objects.get(subject_id=customer.pk, action=AuditAction.CUSTOMER_VIEWED)
    assert (event.object_type, event.purpose) == ("dashboard.customer_360", "staff_view")
    assert event.metadata == {"role": "support_agent"}
