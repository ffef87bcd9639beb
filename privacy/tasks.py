"""Celery entry points of the privacy desk."""

from celery import shared_task

from privacy import services


@shared_task
def send_deadline_reminders() -> int:
    return services.remind_due_requests()
