"""Portal sign-in: one-time codes (and the link that carries the same proof) and the
attempt log that limits how often an address or a client may ask. Nothing here holds
personal data in clear: codes and link secrets are keyed hashes, addresses and clients
are keyed digests."""

import uuid

from django.db import models

from vault.fields import EncryptedTextField


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


class EmailUndo(models.Model):
    """A changed email address the previous address may take back: the mail job mails
    the old address a link (its secret kept only as a keyed hash) that restores it and
    signs out every session. Used once, within UNDO_DAYS of the change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="email_undos"
    )
    old_email = EncryptedTextField(subject="customer_id")
    language = models.CharField(max_length=16, blank=True, help_text="Of the mail.")
    link_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    mailed_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Email undo {self.pk}"


class SessionCutoff(models.Model):
    """Portal sessions of the customer signed in before `not_before` are over (set when
    an email change is undone: whoever changed it is signed out everywhere)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    not_before = models.DateTimeField()

    def __str__(self) -> str:
        return f"Session cutoff {self.pk}"
