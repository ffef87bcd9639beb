"""The change feed: ids and kinds only, in order, after a cursor; erased customers are
named by id (sealed at rest) and no longer by their external id."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from changes.models import Change
from changes.services import prune_changes
from disposal.services import request_erasure, run_erasure

pytestmark = pytest.mark.django_db(databases="__all__")

PERSON = {
    "external_id": "shop-991",
    "email": "ada.feed@example.com",
    "full_name": "Ada Feedwatcher",
    "phone": "+44 20 7946 0999",
    "postal_address": "12 Analytical Row, London",
    "consents": {"account": True, "personalization": True},
}


def feed(client, after=None):
    response = client.get("/api/v1/changes/", {"after": after} if after is not None else {})
    assert response.status_code == 200
    return response.json()


def test_a_realistic_flow_appears_as_ids_and_kinds_and_never_a_personal_value(client):
    created = client.post("/api/v1/customers/", PERSON, format="json").json()
    customer = created["id"]
    client.patch(
        f"/api/v1/customers/{customer}/",
        {"full_name": "Ada Renamed", "email": "ada.new@example.com"},
        format="json",
    )
    client.post(
        f"/api/v1/customers/{customer}/consents/",
        {"purpose": "personalization", "granted": False},
        format="json",
    )
    body = feed(client)
    assert [entry["change"] for entry in body["results"]] == ["created", "updated", "consent"]
    for entry in body["results"]:
        assert set(entry) == {"cursor", "customer", "external_id", "change", "at"}
        assert entry["customer"] == customer and entry["external_id"] == "shop-991"
    assert body["next"] == body["results"][-1]["cursor"]

    request = request_erasure(customer_id=customer, source="api", actor="api:k")
    run_erasure(request_id=request.pk)
    later = feed(client, body["next"])
    assert later["results"] == [
        {
            "cursor": later["next"], "customer": customer, "external_id": None,
            "change": "erased", "at": later["results"][0]["at"],
        }
    ]  # fmt: skip
    # The earlier entries went with the customer's other rows.
    assert [entry["change"] for entry in feed(client)["results"]] == ["erased"]
    text = json.dumps([body, later]).lower()
    for value in ("ada", "feedwatcher", "renamed", "example.com", "7946", "analytical"):
        assert value not in text


def test_the_erased_entry_holds_the_id_sealed_never_in_clear(client, customer):
    request = request_erasure(customer_id=customer.pk, source="api", actor="api:k")
    run_erasure(request_id=request.pk)
    entry = Change.objects.get(kind="erased")
    assert entry.customer_id is None and entry.erased_customer_id == str(customer.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM changes_change")
        raw = " ".join(
            bytes(value).hex() if isinstance(value, memoryview) else str(value)
            for row in cursor.fetchall()
            for value in row
        )
    assert str(customer.pk) not in raw and customer.pk.hex not in raw
    call_command("verify_erasure", str(request.pk))


def test_nothing_new_answers_the_same_cursor_and_bad_cursors_are_400(client, customer):
    body = feed(client)
    assert len(body["results"]) == 1
    assert feed(client, body["next"]) == {"results": [], "next": body["next"]}
    for bad in ("abc", "-1", "9" * 40):
        response = client.get("/api/v1/changes/", {"after": bad})
        assert response.status_code == 400
    assert client.get("/api/v1/changes/", {"limit": 0}).status_code == 400


def test_pages_follow_each_other_without_gaps(client, make_customer):
    made = [str(make_customer().pk) for _ in range(5)]
    seen, cursor = [], None
    while True:
        response = client.get(
            "/api/v1/changes/", {"limit": 2, **({"after": cursor} if cursor else {})}
        )
        body = response.json()
        if not body["results"]:
            break
        seen += [entry["customer"] for entry in body["results"]]
        cursor = body["next"]
    assert seen == made


def test_the_feed_needs_the_customers_scope(make_client):
    assert make_client(scopes=["purchases"]).get("/api/v1/changes/").status_code == 403


def test_old_entries_are_pruned(customer, settings):
    Change.objects.update(at="2020-01-01T00:00:00Z")
    assert prune_changes() == 1
    assert not Change.objects.exists()


def test_a_feed_page_naming_external_ids_is_audited_like_a_lookup(client, make_customer):
    from audit.models import AuditAction, AuditEvent

    first, second = make_customer(), make_customer()
    before = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_VIEWED).count()
    body = feed(client)
    named = {entry["customer"] for entry in body["results"] if entry["external_id"]}
    assert named == {str(first.pk), str(second.pk)}
    events = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_VIEWED)
    assert events.count() == before + 2
    assert {str(event.subject_id) for event in events} == named
    assert {event.object_type for event in events} == {"changes.change"}
    assert all(event.actor.startswith("api-key:") for event in events)
