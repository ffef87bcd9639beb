"""Portal sign-in: one-time codes (and the link that carries the same proof) and the
attempt log that limits how often an address or a client may ask. Nothing here holds
personal data in clear: codes and link secrets are keyed hashes, addresses and clients
are keyed digests."""

import uuid

from django.db import models


class SignInCode(models.Model):
    """One request for a code, for any address: a customer's row gets its code and link
    when the mail job runs (after the response); a row for an address that is no live
    customer's never gets one, and is checked and counted just the same."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="sign_in_codes",
        null=True,
        blank=True,
    )
    address_digest = models.CharField(max_length=64, db_index=True, default="", editable=False)
    language = models.CharField(max_length=16, blank=True, help_text="Of the mail.")
    code_hash = models.CharField(max_length=64, editable=False)
    link_hash = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Codes checked.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail job ran (sent, or nothing to send)."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Sign-in code {self.pk}"


class AttemptScope(models.TextChoices):
    ADDRESS = "address"
    CLIENT = "client"


class SignInAttempt(models.Model):
    """One request for a code, counted per address and per client (keyed digests)."""

    scope = models.CharField(max_length=10, choices=AttemptScope.choices)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "digest", "created_at"])]

    def __str__(self) -> str:
        return f"{self.scope} attempt {self.pk}"
