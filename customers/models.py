"""Customer records and what customers buy. Personal fields are encrypted (vault)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.normalization import normalize_email, normalize_external_id, normalize_phone
from vault.fields import BlindIndexField, EncryptedTextField, VaultRowIdField


class Customer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = EncryptedTextField(help_text="The storefront's own id for the customer.")
    email = EncryptedTextField()
    full_name = EncryptedTextField(blank=True)
    phone = EncryptedTextField(null=True, blank=True, help_text="E.164, e.g. +442079460000.")
    postal_address = EncryptedTextField(null=True, blank=True)
    email_index = BlindIndexField(source="email", normalizer=normalize_email, unique=True)
    external_id_index = BlindIndexField(
        source="external_id", normalizer=normalize_external_id, unique=True
    )
    # Not unique: a household may share a number. Staff search by phone goes through it.
    phone_index = BlindIndexField(
        source="phone", normalizer=normalize_phone, null=True, blank=True, db_index=True
    )
    # GDPR Art. 18: while set, campaigns, recommendations and disclosures skip the customer.
    processing_restricted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        # Staff lists page by keyset on (created_at, id): one index range scan per page.
        indexes = [models.Index(fields=["-created_at", "-id"], name="customer_keyset_idx")]

    def __str__(self) -> str:
        # Never the name or email: str() ends up in logs and admin messages.
        return f"Customer {self.pk}"


class CustomerNameToken(models.Model):
    """One token of a customer's name as a blind index (customers.name_index): lets the
    call centre find "Sam Morin" by "Morin" without a plaintext name anywhere. Personal
    data derived from the name: erased with the customer, rotated with the index key."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="name_tokens")
    token_index = models.CharField(max_length=64, db_index=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "token_index"], name="customer_name_token_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Name token of {self.customer_id}"


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=64, db_index=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: recommendation serving reads max(updated_at) on every request.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="product_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Purchase(models.Model):
    """An invoice line. The law keeps invoice lines for years, so erasure unlinks them
    from the customer (customer None, subject_pseudonym set) instead of deleting them."""

    customer = models.ForeignKey(
        Customer, null=True, on_delete=models.PROTECT, related_name="purchases"
    )
    subject_pseudonym = models.UUIDField(null=True, blank=True, editable=False)
    order_id = models.CharField(max_length=100)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="purchases")
    quantity = models.PositiveIntegerField()
    # How many of the line came back (PurchaseReturn rows add up to it). A fully
    # returned line is no evidence for recommendations.
    returned_quantity = models.PositiveIntegerField(default=0, db_default=0)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    purchased_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchased_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_id", "product"], name="purchase_order_line_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="purchase_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="purchase_unit_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_quantity__lte=models.F("quantity")),
                name="purchase_returned_at_most_bought",
            ),
        ]
        indexes = [models.Index(fields=["customer", "purchased_at"])]

    def __str__(self) -> str:
        return f"{self.order_id} / {self.product_id}"

    @property
    def fully_returned(self) -> bool:
        return self.returned_quantity >= self.quantity


class PurchaseReturn(models.Model):
    """Items of a purchase line that came back. No personal data: the line it belongs to
    is the link to the customer (and is unlinked by erasure like the line)."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="returns")
    quantity = models.PositiveIntegerField()
    returned_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-returned_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="purchase_return_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"return of {self.purchase_id}"


class InteractionChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    STORE = "store", _("In store")
    OTHER = "other", _("Other")


class InteractionKind(models.TextChoices):
    """What the interaction was about: a fixed list, so no personal text hides in it
    (free text goes in the encrypted note)."""

    QUESTION = "question", _("Question")
    ORDER = "order", _("Order")
    DELIVERY = "delivery", _("Delivery")
    RETURN = "return", _("Return")
    COMPLAINT = "complaint", _("Complaint")
    FEEDBACK = "feedback", _("Feedback")
    OTHER = "other", _("Other")


class InteractionOutcome(models.TextChoices):
    """How a contact ended: a fixed list, like the kind."""

    RESOLVED = "resolved", _("Resolved")
    INFORMED = "informed", _("Information given")
    FOLLOW_UP = "follow_up", _("Needs a follow-up")
    NO_ANSWER = "no_answer", _("No answer")


class Interaction(models.Model):
    """A service interaction (ticket, call, note). The note is free text: encrypted."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(max_length=10, choices=InteractionChannel.choices)
    kind = models.CharField(
        max_length=10, choices=InteractionKind.choices, default=InteractionKind.OTHER
    )
    outcome = models.CharField(
        max_length=20, choices=InteractionOutcome.choices, blank=True, default=""
    )
    note = EncryptedTextField(subject="customer_id")
    vault_row_id = VaultRowIdField()  # binds the note's ciphertext to this row
    occurred_at = models.DateTimeField()
    created_by = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.channel} interaction {self.pk}"


class EmailChange(models.Model):
    """A new address waiting for its owner to confirm it with the code mailed to it;
    the customer's email changes only then. The address is encrypted like the email."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="email_changes")
    new_email = EncryptedTextField(subject="customer_id")
    code_hash = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Email change {self.pk}"
