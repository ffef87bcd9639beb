from django import forms
from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from api.models import Scope, StorefrontKey


class StorefrontKeyForm(forms.ModelForm):
    # Ticked names only: the model's validator refuses anything but a list of them.
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Privacy allows export and erasure, and withdrawing account consent.",
    )

    class Meta:
        model = StorefrontKey
        fields = ["name", "scopes", "expiry_date", "revoked"]


@admin.register(StorefrontKey)
class StorefrontKeyAdmin(APIKeyModelAdmin):
    form = StorefrontKeyForm
    list_display = [*APIKeyModelAdmin.list_display, "scopes"]
