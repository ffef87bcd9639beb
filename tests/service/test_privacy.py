"""Tickets are the customer's data: exported with it, shredded and deleted with it."""

import pytest

from disposal import services as disposal
from disposal.exports import export_customer
from disposal.models import ErasureSource, ErasureStatus
from disposal.verification import verify_erasure
from service import services
from service.models import Ticket, TicketNote
from vault.exceptions import KeyDestroyed
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_export_holds_the_tickets_and_their_thread_marked_by_visibility(make_ticket, agent):
    ticket = make_ticket(note="Internal: courier blamed", note_visibility="internal")
    services.add_note(
        ticket=ticket, body="We are sending a new one", visibility="customer", actor="staff:1"
    )
    document = export_customer(customer_id=ticket.customer_id, actor="customer")
    records = document["categories"]["service_tickets"]["records"]
    [exported] = records["service.ticket"]
    assert exported["subject"] == "Parcel for Ana Lima never arrived"
    assert exported["status"] == "open" and exported["topic"] == "delivery"
    notes = {note["body"]: note["visibility"] for note in records["service.ticketnote"]}
    assert notes == {
        "We are sending a new one": "customer",
        "Internal: courier blamed": "internal",
    }
    # Staff ids are not the customer's data: the thread says what was written, not by whom.
    assert all("author" not in note for note in records["service.ticketnote"])


def test_erasure_shreds_and_deletes_tickets_and_notes(
    make_ticket, customer, django_capture_on_commit_callbacks
):
    ticket = make_ticket(note="Her neighbour took it in")
    note = ticket.notes.get()
    with django_capture_on_commit_callbacks(execute=True):
        request = disposal.request_erasure(
            customer_id=customer.pk, source=ErasureSource.STAFF, actor="staff:1"
        )
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    assert DataKey.objects.get(subject_id=customer.pk).is_destroyed
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert not TicketNote.objects.filter(pk=note.pk).exists()
    assert verify_erasure(request.pk).clean


def test_once_the_key_is_destroyed_a_leftover_note_cannot_be_read(make_ticket, customer):
    from vault.keys import destroy_key

    ticket = make_ticket(note="Her neighbour took it in")
    destroy_key(subject_id=customer.pk)
    note = TicketNote.objects.get(ticket=ticket)
    with pytest.raises(KeyDestroyed):
        _ = note.body
