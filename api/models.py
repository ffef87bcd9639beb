"""Storefront API keys: only a hash is stored (djangorestframework-api-key), plus scopes."""

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class Scope(models.TextChoices):
    CUSTOMERS = "customers"
    PURCHASES = "purchases"
    CONSENTS = "consents"
    RECOMMENDATIONS = "recommendations"
    PRIVACY = "privacy"


class StorefrontKeyManager(BaseAPIKeyManager):
    pass


class StorefrontKey(AbstractAPIKey):
    scopes = models.JSONField(default=list)

    objects = StorefrontKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "storefront API key"

    @property
    def actor(self) -> str:
        """How audit events name this key: by its public prefix, never the secret."""
        return f"api-key:{self.prefix}"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes
