import re

import pytest
from django.core import mail

CODE = re.compile(r"\b(\d{6})\b")
LINK = re.compile(r"https?://[^/\s]+(/portal/sign-in/link/\S+)")


def code_from(message) -> str:
    return CODE.search(message.body).group(1)


def link_from(message) -> str:
    return LINK.search(message.body).group(1)


def sign_in(client, customer):
    """Sign in the way a customer does: ask for a code, read it from the mail, enter it."""
    mail.outbox.clear()
    client.post("/portal/sign-in/", {"email": customer.email})
    response = client.post("/portal/sign-in/code/", {"code": code_from(mail.outbox[-1])})
    assert response.status_code == 302 and response["Location"] == "/portal/my-data/"
    mail.outbox.clear()
    return client


@pytest.fixture
def signed_in(client, customer):
    return sign_in(client, customer)
