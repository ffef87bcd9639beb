"""Service tickets and their threads: the call-centre desk's records.

A ticket belongs to one customer. Its free-text subject and every note of its thread
may hold personal data, so they are encrypted under the customer's key (erasure shreds
them); the queue works on what is not personal: channel, topic, priority, status,
assignee, due time and the complaint tag.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedTextField


class TicketChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    STORE = "store", _("In store")
    WEB = "web", _("Web form")


class TicketTopic(models.TextChoices):
    """What a ticket is about, in codes that say nothing about the person: the queue
    shows the topic, never the (encrypted) subject."""

    ORDER = "order", _("Order")
    DELIVERY = "delivery", _("Delivery")
    RETURN = "return", _("Return or refund")
    PRODUCT = "product", _("Product question")
    BILLING = "billing", _("Billing")
    ACCOUNT = "account", _("Account")
    OTHER = "other", _("Other")


class TicketPriority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.WAITING)


class TicketOrigin(models.TextChoices):
    """Who started the contact: it decides whether the ticket is a reason to reveal the
    customer's details (access.policy). Staff-opened tickets count only when someone
    other than the assignee assigned them, or once the customer replies."""

    CUSTOMER = "customer", _("Started by the customer")
    CALLER = "caller", _("Inbound contact found by the caller lookup")
    STAFF = "staff", _("Opened by staff")


class NoteVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal note (staff only)")
    CUSTOMER = "customer", _("Reply to the customer")


class Ticket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tickets"
    )
    subject = EncryptedTextField(subject="customer_id")
    channel = models.CharField(max_length=10, choices=TicketChannel.choices)
    topic = models.CharField(max_length=10, choices=TicketTopic.choices, default=TicketTopic.OTHER)
    priority = models.CharField(
        max_length=10, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    complaint = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    opened_by = models.CharField(max_length=100, help_text='"staff:<id>" or "customer".')
    origin = models.CharField(
        max_length=10, choices=TicketOrigin.choices, default=TicketOrigin.STAFF
    )
    assigned_by = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text='Who set the assignee ("staff:<id>", "system"); empty when unassigned.',
    )
    due_at = models.DateTimeField(help_text="Opened + the priority's SLA hours.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "created_at"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="ticket_queue_idx"),
            models.Index(fields=["customer", "status"], name="ticket_customer_idx"),
        ]

    def __str__(self) -> str:
        # Never the subject: str() ends up in logs and admin messages.
        return f"Ticket {self.short_id}"

    @property
    def short_id(self) -> str:
        return str(self.pk)[:8]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketNote(models.Model):
    """One entry of a ticket's thread: an internal note, a reply to the customer, or a
    message from the customer (portal). The body is encrypted under the customer's key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="ticket_notes"
    )
    body = EncryptedTextField(subject="customer_id")
    visibility = models.CharField(max_length=10, choices=NoteVisibility.choices)
    author = models.CharField(max_length=100, help_text='"staff:<id>" or "customer".')
    created_at = models.DateTimeField(auto_now_add=True)
    # A staff reply is announced to the customer by mail once (service.tasks.notify_reply).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_note_thread_idx")]

    def __str__(self) -> str:
        return f"Note {str(self.pk)[:8]} on ticket {str(self.ticket_id)[:8]}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == NoteVisibility.INTERNAL

    @property
    def by_customer(self) -> bool:
        return self.author == "customer"
