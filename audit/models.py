"""AuditEvent: append-only. Rows hold ids, codes and pseudonyms; never personal data.

AuditSeal and AuditSealEntry hold the hash chain over the events (see audit/chain.py).
On PostgreSQL, triggers (django-pgtrigger) refuse every UPDATE and DELETE of these rows
but one: the erasure pipeline's pseudonymization of an event's subject (see
`PSEUDONYMIZATION` below), which the chain is built to survive.
"""

import pgtrigger
from django.db import models


class AuditAction(models.TextChoices):
    CUSTOMER_CREATED = "customer.created"
    CUSTOMERS_IMPORTED = "customers.imported"
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
    NOTICE_PUBLISHED = "consent.notice_published"
    EMAIL_CHANGE_REQUESTED = "customer.email_change_requested"
    PORTAL_SIGNED_IN = "portal.signed_in"
    PORTAL_SIGNED_OUT = "portal.signed_out"
    PORTAL_VIEWED = "portal.viewed"
    SEGMENT_SAVED = "segment.saved"
    CAMPAIGN_SAVED = "campaign.saved"
    CAMPAIGN_STARTED = "campaign.started"
    CAMPAIGN_SCHEDULED = "campaign.scheduled"
    CAMPAIGN_UNSCHEDULED = "campaign.unscheduled"
    CAMPAIGN_DELETED = "campaign.deleted"
    CAMPAIGN_TEST_SENT = "campaign.test_sent"
    CAMPAIGN_PREVIEWED = "campaign.previewed"
    CAMPAIGN_FINISHED = "campaign.finished"
    LEAD_CAPTURED = "lead.captured"
    LEAD_UPDATED = "lead.updated"
    LEAD_VIEWED = "lead.viewed"
    LEAD_CONTACTED = "lead.contacted"
    LEAD_STATUS_CHANGED = "lead.status_changed"
    LEAD_PLANNED = "lead.planned"
    LEAD_NOTE_ADDED = "lead.note_added"
    LEAD_CONFIRMATION_SENT = "lead.confirmation_sent"
    LEAD_CONSENT_CONFIRMED = "lead.consent_confirmed"
    LEAD_CONVERTED = "lead.converted"
    LEAD_EXPORTED = "lead.exported"
    LEADS_IMPORTED = "leads.imported"
    LEAD_FORM_SAVED = "lead_form.saved"
    DEAL_SAVED = "deal.saved"
    CARRIER_REGISTERED = "carrier.registered"
    CARRIER_SANITIZED = "carrier.sanitized"
    CARRIER_SANITIZATION_VERIFIED = "carrier.sanitization_verified"
    CARRIER_RETIRED = "carrier.retired"
    CARRIER_LOST = "carrier.lost"
    CARRIER_DESTROYED = "carrier.destroyed_confirmed"
    CARRIER_UNREADABLE = "carrier.unreadable"
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_ASSESSED = "incident.assessed"
    INCIDENT_REPORTED = "incident.reported"
    TICKET_OPENED = "ticket.opened"
    TICKET_UPDATED = "ticket.updated"
    TICKET_NOTE_ADDED = "ticket.note_added"
    WEBHOOK_REDELIVERED = "webhook.redelivered"
    ACCESS_REVIEWED = "access.reviewed"
    CALL_CLAIMED = "call.claimed"
    CALL_RECORDED = "call.recorded"


class AppendOnlyError(Exception):
    pass


# The database's answer to any other UPDATE or DELETE of an audit row.
REFUSE = (
    "RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME "
    "USING HINT = 'Audit history is never rewritten; erasure may only pseudonymize a subject.';"
)

# The one UPDATE an audit event accepts: erasure (vault.registry.PersonalData.erase)
# replaces the subject id by its pseudonym, then rewrites an object id that named the
# subject to the same pseudonym. Every other column stays exactly as it was. The trigger
# cannot check that the pseudonym is the right one (its key is not in the database);
# verify_audit does, because a seal covers the pseudonym of the original subject.
PSEUDONYMIZATION = """
    OLD.id = NEW.id
    AND OLD.occurred_at = NEW.occurred_at
    AND OLD.actor = NEW.actor
    AND OLD.action = NEW.action
    AND OLD.object_type = NEW.object_type
    AND OLD.purpose = NEW.purpose
    AND OLD.metadata = NEW.metadata
    AND NEW.subject_id IS NULL
    AND NEW.subject_pseudonym IS NOT NULL
    AND (
        (
            OLD.subject_id IS NOT NULL
            AND (OLD.subject_pseudonym IS NULL OR OLD.subject_pseudonym = NEW.subject_pseudonym)
            AND (
                NEW.object_id = OLD.object_id
                OR (OLD.object_id = OLD.subject_id::text
                    AND NEW.object_id = NEW.subject_pseudonym::text)
            )
        )
        OR (
            OLD.subject_id IS NULL
            AND OLD.subject_pseudonym = NEW.subject_pseudonym
            AND OLD.object_id <> NEW.object_id
            AND NEW.object_id = NEW.subject_pseudonym::text
        )
    )
"""


def _refuse(name: str, operation, condition: str | None = None) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=operation,
        condition=pgtrigger.Condition(condition) if condition else None,
        func=REFUSE,
    )


class AuditEventQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes. (Erasure calls the plain QuerySet.update on
    purpose; on PostgreSQL the trigger is what holds it to pseudonymization.)"""

    def update(self, **kwargs):
        raise AppendOnlyError("Audit rows are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit rows are append-only.")


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
        triggers = [
            _refuse(
                "audit_event_update_refused",
                pgtrigger.Update,
                f"NOT ({' '.join(PSEUDONYMIZATION.split())})",
            ),
            _refuse("audit_event_delete_refused", pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")


class AuditSeal(models.Model):
    """One link of the chain: a batch of events in id order, sealed after the previous
    seal. `digest` is a keyed HMAC over the previous seal's digest, the batch bounds and
    the hash of its entries (audit/chain.py says exactly what)."""

    number = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3... in chain order")
    sealed_at = models.DateTimeField()
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    events_digest = models.CharField(max_length=64)
    previous_digest = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, help_text="Which key made the digest.")
    digest = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        triggers = [
            _refuse("audit_seal_update_refused", pgtrigger.Update),
            _refuse("audit_seal_delete_refused", pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"seal #{self.number}: events {self.first_event_id}..{self.last_event_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit seals are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit seals are append-only.")


class AuditSealEntry(models.Model):
    """The digest each sealed event had, so that verification can name the event that
    changed, not only the seal. `event_id` is deliberately not a foreign key: the entry
    must outlive a deleted event to say that it is missing."""

    event_id = models.BigIntegerField(primary_key=True)
    seal = models.ForeignKey(AuditSeal, on_delete=models.PROTECT, related_name="entries")
    digest = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["event_id"]
        verbose_name_plural = "audit seal entries"
        triggers = [
            _refuse("audit_seal_entry_update_refused", pgtrigger.Update),
            _refuse("audit_seal_entry_delete_refused", pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} in seal {self.seal_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit seals are append-only.")
        super().save(*args, force_insert=True, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit seals are append-only.")
