import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from customers.models import Customer
from vault import registry
from vault.fields import EncryptedTextField
from vault.keys import SYSTEM_SUBJECT


def test_every_model_with_an_encrypted_field_is_registered_with_all_of_them():
    for model in apps.get_models():
        encrypted = {
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, EncryptedTextField)
            # System secrets (a processor's webhook secret) are nobody's personal data.
            and getattr(model, field.subject, None) != SYSTEM_SUBJECT
        }
        if not encrypted:
            continue
        entry = registry.entry_for(model)
        assert entry is not None, f"{model._meta.label} holds encrypted data but is not registered"
        assert encrypted <= set(entry.fields), f"{model._meta.label} leaves out {encrypted}"


def test_registering_a_field_that_does_not_exist_fails_at_once():
    with pytest.raises(FieldDoesNotExist):
        registry.register(Customer, subject="id", category="profile", fields=("emial",))


def test_the_registry_covers_profile_purchases_interactions_consent_and_access_log():
    categories = {entry.category for entry in registry.entries()}
    assert {"profile", "purchases", "interactions", "consent", "access_log"} <= categories
