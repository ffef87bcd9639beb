"""Issue 26, item 6: an email change tells the old address, masked, with a link that
undoes the change (once, while young) and signs out every session."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from customers.models import Customer
from portal.models import EmailUndo
from portal.tasks import prune_email_undos
from tests.portal.conftest import code_from, sign_in

pytestmark = pytest.mark.django_db(databases="__all__")
UNDO = re.compile(r"https?://[^/\s]+(/portal/profile/email/undo/\S+)")
NEW = "new.owner@example.net"


def change_email(client, customer):
    mail.outbox.clear()
    client.post("/portal/profile/email/", {"email": NEW})
    code = code_from(mail.outbox[-1])
    confirm_page = client.get("/portal/profile/email/confirm/").content.decode()
    mail.outbox.clear()
    client.post("/portal/profile/email/confirm/", {"code": code})
    return confirm_page


def test_the_confirm_page_names_the_masked_address_the_code_went_to(signed_in, customer):
    page = change_email(signed_in, customer)
    assert "n***@example.net" in page and NEW not in page


def test_the_old_address_is_told_with_the_new_one_masked(signed_in, customer):
    old = customer.email
    change_email(signed_in, customer)
    assert Customer.objects.get(pk=customer.pk).email == NEW
    [told] = [m for m in mail.outbox if m.to == [old]]
    assert "n***@example.net" in told.body and NEW not in told.body
    assert UNDO.search(told.body)


def test_following_the_undo_link_restores_the_address_and_signs_out_everywhere(signed_in, customer):
    old = customer.email
    other_device = sign_in(Client(), Customer.objects.get(pk=customer.pk))
    change_email(signed_in, customer)
    path = UNDO.search(next(m for m in mail.outbox if m.to == [old]).body).group(1)
    visitor = Client()
    asked = visitor.get(path)  # a mail scanner's visit changes nothing
    assert asked.status_code == 200
    assert Customer.objects.get(pk=customer.pk).email == NEW
    done = visitor.post(path)
    assert done.status_code == 200 and "Your old address is back" in done.content.decode()
    assert Customer.objects.get(pk=customer.pk).email == old
    for session in (signed_in, other_device):
        response = session.get("/portal/my-data/")
        assert response.status_code == 302 and "/portal/sign-in/" in response["Location"]
    again = visitor.post(path)
    assert again.status_code == 400
    # Signing in afresh with the old address works.
    sign_in(Client(), Customer.objects.get(pk=customer.pk))


def test_the_undo_link_expires(signed_in, customer):
    old = customer.email
    change_email(signed_in, customer)
    path = UNDO.search(next(m for m in mail.outbox if m.to == [old]).body).group(1)
    EmailUndo.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().post(path).status_code == 400
    assert Customer.objects.get(pk=customer.pk).email == NEW


def test_a_forged_undo_link_changes_nothing(signed_in, customer):
    old = customer.email
    change_email(signed_in, customer)
    path = UNDO.search(next(m for m in mail.outbox if m.to == [old]).body).group(1)
    forged = path.rstrip("/").rsplit("/", 1)[0] + "/" + "x" * 43 + "/"
    assert Client().post(forged).status_code == 400
    assert Customer.objects.get(pk=customer.pk).email == NEW


def test_used_and_expired_undo_rows_go_with_the_old_address_and_open_ones_stay(signed_in, customer):
    change_email(signed_in, customer)
    [open_one] = EmailUndo.objects.all()
    used = EmailUndo.objects.create(
        customer=customer, old_email="a@example.com", expires_at=open_one.expires_at
    )
    EmailUndo.objects.filter(pk=used.pk).update(used_at=timezone.now())
    lapsed = EmailUndo.objects.create(
        customer=customer,
        old_email="b@example.com",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert prune_email_undos() == 2
    assert list(EmailUndo.objects.values_list("pk", flat=True)) == [open_one.pk]
    assert not EmailUndo.objects.filter(pk__in=[used.pk, lapsed.pk]).exists()
