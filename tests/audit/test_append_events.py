"""append_events (the COPY path of a purchase batch's audit rows) keeps record_events'
rules, with metadata encoded once per distinct value."""

import uuid

import pytest
from django.db import transaction

from audit.models import AuditAction, AuditEvent
from audit.services import NewEvent, append_events

pytestmark = pytest.mark.django_db(databases="__all__")


def _event(subject, metadata) -> NewEvent:
    return NewEvent(
        actor="system",
        action=AuditAction.PURCHASES_RECORDED,
        object_type="customers.customer",
        object_id=str(subject),
        subject_id=subject,
        purpose="account",
        metadata=metadata,
    )


def test_each_event_keeps_its_own_metadata_even_when_values_compare_equal():
    subjects = [uuid.uuid4() for _ in range(5)]
    reference = uuid.uuid4()
    metadata = [{"lines": 1}, {"lines": True}, {"lines": 1.0}, {"lines": 1}, {"ref": reference}]
    with transaction.atomic():
        append_events([_event(s, m) for s, m in zip(subjects, metadata, strict=True)])
    stored = {event.subject_id: event.metadata for event in AuditEvent.objects.all()}
    assert [stored[subject] for subject in subjects] == [
        {"lines": 1},
        {"lines": True},
        {"lines": 1.0},
        {"lines": 1},
        {"ref": str(reference)},
    ]
    assert type(stored[subjects[1]]["lines"]) is bool


@pytest.mark.parametrize("metadata", [{"note": "someone@example.org"}, {"ids": [1, 2]}])
def test_metadata_beyond_counts_ids_and_codes_is_refused_and_nothing_is_written(metadata):
    with pytest.raises(ValueError), transaction.atomic():
        append_events([_event(uuid.uuid4(), {"lines": 1}), _event(uuid.uuid4(), metadata)])
    assert not AuditEvent.objects.exists()
