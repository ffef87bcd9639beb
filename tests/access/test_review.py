"""The access review's reads and its one write: which reveals and views are flagged
(break-glass by metadata or typed reason, self-made by metadata, unusual volume per staff
member and local day), and a "reviewed" mark that is its own row, audited without its
note, encrypted for the customer and unlinked from them by erasure."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.models import AccessReview
from access.reviews import mark_reviewed
from access.roles import Role
from access.selectors import AccessFilters, Flag, Show, access_events, access_rows
from audit.models import AuditAction, AuditEvent
from audit.services import record_event, staff_actor
from disposal.models import ErasureSource
from disposal.services import request_erasure, run_erasure
from tests.factories import staff_access

pytestmark = pytest.mark.django_db(databases="__all__")

NOTE = "Checked with the team lead: Ada Lovelace had phoned about a parcel."


access = staff_access


def rows(**filters):
    events, heavy = access_events(AccessFilters(**filters))
    return access_rows(events, heavy)


def test_break_glass_and_self_made_are_flagged_from_metadata_or_a_typed_reason(
    make_staff, customer
):
    agent = make_staff(Role.SUPPORT_AGENT)
    typed = access(agent, customer, purpose="reason:7")
    marked = access(agent, customer, purpose="ticket:2", review="break_glass")
    self_made = access(
        agent,
        customer,
        action=AuditAction.CUSTOMER_VIEWED,
        purpose="staff_view",
        review="self_made",
    )
    plain = access(agent, customer, purpose="request:3")
    flags = {row.event.pk: row.flags for row in rows()}
    assert flags[typed.pk] == [Flag.BREAK_GLASS]
    assert flags[marked.pk] == [Flag.BREAK_GLASS]
    assert flags[self_made.pk] == [Flag.SELF_MADE]
    assert flags[plain.pk] == []
    assert {row.event.pk for row in rows(show=Show.FLAGGED)} == {typed.pk, marked.pk, self_made.pk}


def test_more_reveals_in_a_day_than_the_threshold_flags_that_persons_reveals(
    make_staff, customer, settings
):
    settings.ACCESS_REVIEW_DAILY_REVEALS = 3
    busy, calm = make_staff(Role.SUPPORT_AGENT), make_staff(Role.SUPPORT_AGENT)
    for _ in range(4):
        access(busy, customer)
    for _ in range(3):
        access(calm, customer)
    flagged = rows(show=Show.FLAGGED)
    assert len(flagged) == 4
    assert all(row.flags == [Flag.VOLUME] for row in flagged)
    assert {row.username for row in flagged} == {busy.username}


def test_filters_by_staff_member_purpose_kind_and_local_date(make_staff, customer):
    one, two = make_staff(Role.SUPPORT_AGENT), make_staff(Role.PRIVACY_OFFICER)
    ticket = access(one, customer, purpose="ticket:1")
    request = access(two, customer, purpose="request:1")
    view = access(one, customer, action=AuditAction.CUSTOMER_VIEWED, purpose="staff_view")
    assert {row.event.pk for row in rows(staff_id=one.pk)} == {ticket.pk, view.pk}
    assert [row.event.pk for row in rows(purpose_kind="request")] == [request.pk]
    assert [row.event.pk for row in rows(purpose_kind="staff_view")] == [view.pk]
    today = timezone.localdate()
    assert len(rows(date_from=today, date_to=today)) == 3
    assert rows(date_from=today + timedelta(days=1)) == []
    assert rows(date_to=today - timedelta(days=1)) == []


def test_marking_reviewed_is_its_own_audited_row_and_the_note_stays_out_of_the_audit(
    make_staff, customer
):
    agent, officer = make_staff(Role.SUPPORT_AGENT), make_staff(Role.PRIVACY_OFFICER)
    event = access(agent, customer, purpose="reason:9")
    review = mark_reviewed(user=officer, event_id=event.pk, note=NOTE)
    assert (review.event, review.reviewer, review.note) == (event, officer, NOTE)
    audit = AuditEvent.objects.get(action=AuditAction.ACCESS_REVIEWED)
    assert audit.actor == staff_actor(officer.pk) and audit.object_id == str(event.pk)
    assert audit.metadata["noted"] is True
    assert "Lovelace" not in str(audit.metadata) and "Checked" not in str(audit.metadata)
    raw = AccessReview.objects.filter(pk=review.pk).values_list("note", flat=True).get()
    assert b"Lovelace" not in bytes(raw)  # encrypted under the customer's key
    assert rows(show=Show.TO_REVIEW) == []
    assert rows(show=Show.FLAGGED)[0].review == review
    with pytest.raises(ValidationError):
        mark_reviewed(user=officer, event_id=event.pk)
    assert AccessReview.objects.count() == 1


def test_only_the_privacy_desk_marks_and_only_accesses_can_be_marked(make_staff, customer):
    agent, officer = make_staff(Role.SUPPORT_AGENT), make_staff(Role.PRIVACY_OFFICER)
    event = access(agent, customer, purpose="reason:9")
    with pytest.raises(PermissionDenied):
        mark_reviewed(user=agent, event_id=event.pk)
    with transaction.atomic():
        other = record_event(actor="system", action=AuditAction.DEMO_SEEDED, object_type="x",
                             object_id=1)  # fmt: skip
    with pytest.raises(ValidationError):
        mark_reviewed(user=officer, event_id=other.pk)
    with pytest.raises(ValidationError) as error:
        mark_reviewed(user=officer, event_id=event.pk, note="x" * 1001)
    assert "note" in error.value.message_dict
    assert not AccessReview.objects.exists()


def test_erasure_keeps_the_mark_and_unlinks_it_from_the_customer(make_staff, customer):
    agent, officer = make_staff(Role.SUPPORT_AGENT), make_staff(Role.PRIVACY_OFFICER)
    event = access(agent, customer, purpose="reason:9")
    review = mark_reviewed(user=officer, event_id=event.pk, note=NOTE)
    erasure = request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="system")
    run_erasure(request_id=erasure.pk)
    kept = AccessReview.objects.get(pk=review.pk)
    assert kept.subject_id is None and kept.subject_pseudonym is not None
    assert kept.reviewer == officer and kept.note is None  # shredded, then dropped
    row = rows()[0]
    assert row.customer == "" and row.review == kept
