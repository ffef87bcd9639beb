"""The transactional outbox: a job a write must cause, stored in the same transaction as
the write, so a broker outage delays it but never loses it. Holds a task name and ids
only, never personal data."""

import uuid

from django.db import models


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200, help_text="Dotted Celery task name.")
    args = models.JSONField(default=list, help_text="Ids only.")
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(help_text="Not handed over before this time.")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True, help_text="An error class.")

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="outbox_job_undispatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.pk}"
