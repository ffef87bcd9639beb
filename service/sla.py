"""Service-level targets: a ticket is due a fixed number of hours after it was opened,
by priority (settings.SERVICE_SLA_HOURS). Calendar hours: business hours and holidays
are not modelled, and the clock does not stop while a ticket waits for the customer."""

from datetime import datetime, timedelta

from django.conf import settings

from service.models import TicketPriority

DEFAULT_HOURS = {
    TicketPriority.URGENT: 4,
    TicketPriority.HIGH: 8,
    TicketPriority.NORMAL: 24,
    TicketPriority.LOW: 72,
}


def sla_hours(priority: str) -> int:
    configured = getattr(settings, "SERVICE_SLA_HOURS", {}) or {}
    return int(configured.get(str(priority), DEFAULT_HOURS[TicketPriority(priority)]))


def due_at(opened_at: datetime, priority: str) -> datetime:
    return opened_at + timedelta(hours=sla_hours(priority))
