"""Issue 26 item 4 on the 360 view: each consent event in the history says the language
its notice was shown in (the evidence staff may be asked for)."""

import pytest

from access.roles import Role
from consent import services as consent_services

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_consent_history_names_the_notices_language(signed_in, make_customer):
    customer = make_customer(consents={"account": True})
    consent_services.set_consent(
        customer=customer,
        purpose="analytics",
        granted=True,
        source="portal",
        actor="customer",
        language="id",
    )
    client, _user = signed_in(Role.PRIVACY_OFFICER)
    page = client.get(f"/dashboard/customers/{customer.pk}/").content.decode()
    assert "v1 (Bahasa Indonesia)" in page  # the analytics grant, read in Indonesian
    assert "v1 (English)" in page  # the account consent, given in English
