"""The one way a page shows a service's refusal on its form: each field message of the
service's ValidationError lands on the field of that name, or above the form when the
form has no such field."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, rename: Mapping[str, str] | None = None
) -> None:
    """Show a service's field messages on the form, as the service wrote them; `rename`
    maps a service's field name to the form's ("consents" -> "purposes")."""
    for field, problems in error.message_dict.items():
        target = (rename or {}).get(field, field)
        for problem in problems:
            form.add_error(target if target in form.fields else None, problem)
