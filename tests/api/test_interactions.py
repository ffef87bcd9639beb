"""Interactions over the API: recorded with the existing service (note encrypted under
the customer's key), listed newest first, every read audited."""

import pytest
from django.db import connection

from audit.models import AuditAction, AuditEvent
from customers.models import Interaction

pytestmark = pytest.mark.django_db(databases="__all__")
NOTE = "Asked where parcel 4471 went; lives at 3 Mill Lane"


def path(customer):
    return f"/api/v1/customers/{customer.pk}/interactions/"


def test_an_interaction_is_recorded_encrypted_and_audited(client, customer):
    response = client.post(
        path(customer),
        {"channel": "phone", "kind": "delivery", "note": NOTE,
         "occurred_at": "2026-11-20T10:00:00+07:00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "channel", "kind", "note", "occurred_at", "created_at"}
    assert (body["channel"], body["kind"], body["note"]) == ("phone", "delivery", NOTE)
    assert body["occurred_at"] == "2026-11-20T03:00:00Z"
    stored = Interaction.objects.get(pk=body["id"])
    assert stored.customer_id == customer.pk and stored.created_by == client.api_key.actor
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM customers_interaction WHERE id = %s", [stored.pk])
        assert b"parcel" not in bytes(cursor.fetchone()[0])
    recorded = AuditEvent.objects.get(action=AuditAction.INTERACTION_RECORDED)
    assert recorded.subject_id == customer.pk and NOTE not in str(recorded.metadata)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CUSTOMER_VIEWED, object_type="customers.interaction"
        ).count()
        == 1
    )


def test_interactions_are_listed_newest_first_and_paginated(client, customer, make_customer):
    for day in (1, 3, 2):
        client.post(
            path(customer),
            {"channel": "email", "note": f"day {day}", "occurred_at": f"2026-11-0{day}T09:00:00Z"},
            format="json",
        )
    client.post(path(make_customer()), {"channel": "chat", "note": "someone else"}, format="json")
    response = client.get(path(customer))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"] is None
    assert [item["note"] for item in body["results"]] == ["day 3", "day 2", "day 1"]
    assert {item["kind"] for item in body["results"]} == {"other"}
    reads = AuditEvent.objects.filter(
        action=AuditAction.CUSTOMER_VIEWED, object_type="customers.interaction",
        subject_id=customer.pk,
    )  # fmt: skip
    assert reads.count() == 4  # three POST answers and one page


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon", "note": "x"}, "channel"),
        ({"channel": "email", "kind": "gossip", "note": "x"}, "kind"),
        ({"channel": "email", "note": ""}, "note"),
        ({"channel": "email", "note": "x", "occurred_at": "2026-11-20T10:00:00"}, "occurred_at"),
        ({"channel": "email", "note": "x", "mood": "sad"}, "mood"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(client, customer, body, field):
    response = client.post(path(customer), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Interaction.objects.exists()


def test_unknown_or_erased_customers_are_404_and_the_scope_is_customers(
    client, make_client, customer
):
    assert client.get("/api/v1/customers/nope/interactions/").status_code == 404
    other = make_client(scopes=["purchases"])
    assert other.get(path(customer)).status_code == 403
    assert (
        other.post(path(customer), {"channel": "email", "note": "x"}, format="json").status_code
        == 403
    )
