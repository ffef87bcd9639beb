"""Audit reads shared by the surfaces."""

import uuid

from django.db.models import QuerySet

from audit.models import AuditEvent


def events_about(subject_id: uuid.UUID) -> QuerySet[AuditEvent]:
    """Everything recorded about one subject, newest first (the customer's access log)."""
    return AuditEvent.objects.filter(subject_id=subject_id).order_by("-occurred_at", "-id")
