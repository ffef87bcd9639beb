"""Customer reads shared by the surfaces: lookups by id or through the blind indexes."""

import uuid

from customers.models import Customer, Interaction, Purchase


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


def purchases_of(customer_id: uuid.UUID):
    """The customer's purchase lines with their products, newest first."""
    return Purchase.objects.filter(customer_id=customer_id).select_related("product")


def interactions_of(customer_id: uuid.UUID):
    """The customer's service interactions, newest first."""
    return Interaction.objects.filter(customer_id=customer_id)
