"""Issue 26, items 6-9 in Bahasa Indonesia: the new words of the choices, access log,
close-account and email-change pages and mails are translated."""

import re

import pytest
from django.core import mail

from tests.portal.conftest import code_from

pytestmark = pytest.mark.django_db(databases="__all__")
ID = {"HTTP_ACCEPT_LANGUAGE": "id"}


def test_the_new_words_are_in_indonesian(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "marketing_email", "granted": "yes"})
    choices = signed_in.get("/portal/consents/", **ID).content.decode()
    assert "Memerlukan “" in choices and "Menunggu konfirmasi Anda" in choices
    log = signed_in.get("/portal/access-log/", **ID).content.decode()
    assert "Hanya orang lain" in log and "zona waktu" in log
    closing = signed_in.get("/portal/close-account/", **ID).content.decode()
    assert "6 tahun" in closing and "Yang tetap disimpan" in closing
    assert not re.search(r"\b6 years\b|What stays", closing)


def test_the_old_address_mail_is_in_the_readers_language(signed_in, customer):
    old = customer.email
    signed_in.post("/portal/profile/email/", {"email": "baru@example.net"}, **ID)
    code = code_from(mail.outbox[-1])
    mail.outbox.clear()
    signed_in.post("/portal/profile/email/confirm/", {"code": code}, **ID)
    [told] = [m for m in mail.outbox if m.to == [old]]
    assert "Alamat email akun Anda diubah menjadi b***@example.net" in told.body
    assert told.subject == "Alamat email Anda telah diubah"
