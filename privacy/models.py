"""Data-subject requests: the privacy desk's queue (GDPR Art. 15-21).

One row per request, with the requester's verification state (nothing is acted on
before it is verified), a due date one calendar month from receipt (extendable by up to
two months with a reason) and who works it. No personal data is kept here: the
customer is a link (a pseudonym once erased) and the request holds codes and dates.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection to profiling")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    IN_PERSON = "in_person", _("In person")


class VerificationMethod(models.TextChoices):
    PORTAL_SIGN_IN = "portal_sign_in", _("Signed in to the portal")
    EMAIL_CONFIRMED = "email_confirmed", _("Confirmed from the address on file")
    CALL_BACK = "call_back", _("Called back on the number on file")
    ID_DOCUMENT = "id_document", _("Identity document checked")


class RejectionReason(models.TextChoices):
    NOT_VERIFIED = "not_verified", _("Identity could not be verified")
    UNFOUNDED = "unfounded", _("Manifestly unfounded or excessive")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class DataSubjectRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        on_delete=models.PROTECT,
        related_name="data_subject_requests",
    )
    subject_pseudonym = models.UUIDField(null=True, blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    channel = models.CharField(max_length=20, choices=RequestChannel.choices)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    received_at = models.DateTimeField()
    due_by = models.DateField()
    extended_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.CharField(max_length=300, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(
        max_length=20, choices=VerificationMethod.choices, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_data_subject_requests",
    )
    erasure_request = models.OneToOneField(
        "disposal.ErasureRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_subject_request",
    )
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_by", "received_at"]
        indexes = [
            models.Index(fields=["status", "due_by"], name="dsr_queue_idx"),
            models.Index(fields=["customer", "status"], name="dsr_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def short_id(self) -> str:
        return str(self.pk)[:8]
