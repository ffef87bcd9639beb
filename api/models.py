"""Storefront API keys: only a hash is stored (djangorestframework-api-key), plus scopes."""

from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


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
