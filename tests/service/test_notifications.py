"""A staff reply is announced to the customer by one mail, without its content."""

import pytest
from django.core import mail

from service import services
from service.models import TicketNote

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_reply_mails_the_customer_once_without_the_message(
    make_ticket, customer, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_URL = "https://shop.example"
    ticket = make_ticket()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.add_note(
            ticket=ticket,
            body="Your refund of 40 EUR is on its way",
            visibility="customer",
            actor="staff:1",
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.email]
    assert ticket.short_id in message.subject and "https://shop.example/portal/" in message.body
    assert "refund" not in message.body.lower() and "Parcel" not in message.body
    assert TicketNote.objects.get(pk=note.pk).notified_at is not None
    assert services.notify_customer_of_reply(note_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_internal_notes_and_the_customers_own_messages_send_no_mail(
    make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_note(ticket=ticket, body="Check stock", visibility="internal", actor="staff:1")
        services.add_note(ticket=ticket, body="Any news?", visibility="customer", actor="customer")
    assert mail.outbox == []
