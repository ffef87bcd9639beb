"""Storefront API keys: only a hash is stored (djangorestframework-api-key), plus scopes."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from vault.fields import EncryptedTextField


class Scope(models.TextChoices):
    CUSTOMERS = "customers"
    PURCHASES = "purchases"
    CONSENTS = "consents"
    RECOMMENDATIONS = "recommendations"
    PRIVACY = "privacy"
    LEADS = "leads"


def validate_scopes(value) -> None:
    """A key's scopes are a list of known scope names, nothing else: a string or a dict
    would answer `in` for names it merely contains."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError(
            'Scopes are a list of names, e.g. ["customers", "purchases"].', code="invalid"
        )
    unknown = sorted(set(value) - set(Scope.values))
    if unknown:
        raise ValidationError(
            f"Unknown scope(s): {', '.join(unknown)}. Choose from {', '.join(Scope.values)}.",
            code="unknown",
        )


class StorefrontKeyManager(BaseAPIKeyManager):
    def create_key(self, **kwargs):
        validate_scopes(kwargs.get("scopes", []))
        return super().create_key(**kwargs)


class StorefrontKey(AbstractAPIKey):
    scopes = models.JSONField(default=list, validators=[validate_scopes])

    objects = StorefrontKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "storefront API key"

    @property
    def actor(self) -> str:
        """How audit events name this key: by its public prefix, never the secret."""
        return f"api-key:{self.prefix}"

    def allows(self, scope: str) -> bool:
        # Exact membership in a list of names; anything else stored allows nothing.
        scopes = self.scopes if isinstance(self.scopes, list) else []
        return any(isinstance(name, str) and name == scope for name in scopes)

    def save(self, *args, **kwargs):
        # The invariant holds however a key is saved (admin, shell, command).
        validate_scopes(self.scopes)
        super().save(*args, **kwargs)


class IdempotentReply(models.Model):
    """The first answer to a POST sent with `Idempotency-Key` (api/idempotency.py),
    replayed to a repeat of that key by the same API key within IDEMPOTENCY_HOURS.

    No personal data in clear: an answer that concerns a customer (a created profile, a
    consent map, an interaction) is sealed under that customer's data key, so erasing
    the customer shreds it (and the registry deletes the row); answers without personal
    data (ids, counts, products, field errors that never echo a value) stay in `body`.
    The token itself is kept only as a hash. A row is written in the same transaction as
    the effect it answers for (v1.3), so it always holds an answer. Erasing a customer
    the answer names (`ReplySubject`) turns it into a tombstone (`erased_at`, status 410,
    nothing else), so that replaying its key neither shows the customer nor recreates
    them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    api_key = models.ForeignKey(StorefrontKey, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text="Hash of method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=dict, blank=True)
    subject_id = models.UUIDField(null=True, blank=True)
    # JSON text, not jsonb: PostgreSQL's jsonb cannot hold "\u0000", which a 400 naming
    # an unknown field may (field names are echoed, never values).
    body = models.TextField(null=True, blank=True)
    sealed_body = EncryptedTextField(subject="subject_id", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "token_digest"], name="idempotent_reply_key_token_unique"
            )
        ]

    def __str__(self) -> str:
        return f"idempotent reply {self.pk}"


class ReplySubject(models.Model):
    """A customer an IdempotentReply names (a created profile, a duplicate's id, each
    customer of a bulk create): the erasure of any of them tombstones the reply."""

    reply = models.ForeignKey(IdempotentReply, on_delete=models.CASCADE, related_name="subjects")
    customer_id = models.UUIDField(db_index=True)

    def __str__(self) -> str:
        return f"reply subject {self.pk}"
