"""Customer reads shared by the surfaces: lookups by id or through the blind indexes."""

import uuid

from customers.models import Customer


def customer_by_email(email: str) -> Customer | None:
    digest = Customer._meta.get_field("email_index").digest(email)
    return Customer.objects.filter(email_index=digest).first()


def customer_by_external_id(external_id: str) -> Customer | None:
    digest = Customer._meta.get_field("external_id_index").digest(external_id)
    return Customer.objects.filter(external_id_index=digest).first()


def customer_get(customer_id: uuid.UUID | str) -> Customer | None:
    try:
        return Customer.objects.filter(pk=uuid.UUID(str(customer_id))).first()
    except ValueError:
        return None
