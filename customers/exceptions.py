"""Typed errors of customer services, so surfaces can map them (409, 400 by index)."""

from django.core.exceptions import ValidationError


class DuplicateCustomer(ValidationError):
    """Another customer already has this email or external id (the API answers 409)."""

    def __init__(self, field: str):
        self.field = field
        label = "email" if field == "email" else "external id"
        super().__init__(
            {field: [f"A customer with this {label} already exists."]}, code="duplicate"
        )


class BatchValidationError(Exception):
    """Some lines of a batch are invalid; nothing of the batch was stored."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = errors
        super().__init__(f"{len(errors)} invalid line(s) at index {sorted(errors)}")
