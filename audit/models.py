"""AuditEvent: append-only. Rows hold ids, codes and pseudonyms; never personal data."""

from django.db import models


class AuditAction(models.TextChoices):
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_REVEALED = "customer.revealed"
    CUSTOMER_VIEWED = "customer.viewed"
    CONSENTS_VIEWED = "consents.viewed"
    PURCHASES_RECORDED = "purchases.recorded"
    PRODUCT_SAVED = "product.saved"
    INTERACTION_RECORDED = "interaction.recorded"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    DEMO_SEEDED = "demo.seeded"
    CUSTOMER_EXPORTED = "customer.exported"
    ERASURE_REQUESTED = "erasure.requested"
    ERASURE_EXTENDED = "erasure.extended"
    ERASURE_COMPLETED = "erasure.completed"
    ERASURE_FAILED = "erasure.failed"
    ERASURE_VIEWED = "erasure.viewed"
    DISCLOSED = "processor.disclosed"
    RETENTION_APPLIED = "retention.applied"
    ERASURES_REPLAYED = "erasures.replayed"
    RECOMMENDATIONS_VIEWED = "recommendations.viewed"
    RECOMMENDATIONS_BUILT = "recommendations.built"
    RECOMMENDATIONS_FORGOTTEN = "recommendations.forgotten"
    REQUEST_OPENED = "request.opened"
    REQUEST_VERIFIED = "request.verified"
    REQUEST_ASSIGNED = "request.assigned"
    REQUEST_EXTENDED = "request.extended"
    REQUEST_COMPLETED = "request.completed"
    REQUEST_REJECTED = "request.rejected"
    PROCESSING_RESTRICTED = "processing.restricted"
    RESTRICTION_LIFTED = "processing.unrestricted"
    CONSENT_CONFIRMATION_SENT = "consent.confirmation_sent"
    EMAIL_CHANGE_REQUESTED = "customer.email_change_requested"
    PORTAL_SIGNED_IN = "portal.signed_in"
    PORTAL_SIGNED_OUT = "portal.signed_out"
    PORTAL_VIEWED = "portal.viewed"


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=100, help_text='"staff:<id>", "api-key:<prefix>", "system"')
    action = models.CharField(max_length=50, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100)
    subject_id = models.UUIDField(null=True, blank=True, db_index=True)
    subject_pseudonym = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="Replaces subject_id after erasure."
    )
    purpose = models.CharField(max_length=50, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")
