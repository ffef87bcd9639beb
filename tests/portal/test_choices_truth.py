"""Issue 26, item 9: the choices page tells the truth. A dependent choice says what it
needs and cannot be granted while that is withdrawn; a pending double opt-in says it
waits for the customer, with a resend; a withdrawn choice says since when."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from consent.selectors import current_consents
from consent.services import clean_consent_choices

pytestmark = pytest.mark.django_db(databases="__all__")
SENSITIVE = {"purpose": "sensitive_personalization", "granted": "yes", "explicit": "on"}


def card(page: str, code: str) -> str:
    return re.search(rf'id="purpose-{code}".*?</section>', page, re.S).group()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_dependent_choice_names_what_it_needs(signed_in):
    page = signed_in.get("/portal/consents/").content.decode()
    assert "Needs “Personal suggestions”." in text(card(page, "sensitive_personalization"))


def test_a_dependent_choice_cannot_be_granted_while_what_it_needs_is_withdrawn(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "personalization", "granted": "no"})
    page = signed_in.get("/portal/consents/").content.decode()
    sensitive = text(card(page, "sensitive_personalization"))
    assert "Agree to that first." in sensitive and "Agree explicitly" not in sensitive
    refused = signed_in.post("/portal/consents/change/", SENSITIVE, follow=True)
    assert current_consents(customer.pk)["sensitive_personalization"].granted is False
    assert "needs “Personal suggestions”" in text(refused.content.decode())
    assert "You agreed explicitly" not in text(refused.content.decode())


def test_withdrawing_what_a_granted_choice_needs_says_it_is_not_in_use(signed_in, customer):
    signed_in.post("/portal/consents/change/", SENSITIVE)
    assert current_consents(customer.pk)["sensitive_personalization"].granted is True
    signed_in.post("/portal/consents/change/", {"purpose": "personalization", "granted": "no"})
    page = signed_in.get("/portal/consents/").content.decode()
    assert "Not in use while “Personal suggestions” is withdrawn." in text(
        card(page, "sensitive_personalization")
    )


def test_a_pending_double_opt_in_waits_for_the_customer_with_a_resend(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "marketing_email", "granted": "yes"})
    page = text(card(signed_in.get("/portal/consents/").content.decode(), "marketing_email"))
    assert "Waiting for you to confirm" in page and "You have not agreed" not in page
    assert "Send the confirmation link again" in page
    mail.outbox.clear()
    signed_in.post("/portal/consents/change/", {"purpose": "marketing_email", "granted": "yes"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [customer.email]


def test_a_withdrawn_choice_says_since_when(signed_in, customer):
    signed_in.post("/portal/consents/change/", {"purpose": "personalization", "granted": "no"})
    withdrawn_at = current_consents(customer.pk)["personalization"].updated_at
    since = date_format(timezone.localtime(withdrawn_at), "DATE_FORMAT")
    page = text(card(signed_in.get("/portal/consents/").content.decode(), "personalization"))
    assert f"Withdrawn since {since}." in page and "You have not agreed" not in page


def test_no_surface_grants_a_dependent_choice_with_what_it_needs_withdrawn():
    choices = {"account": True, "personalization": False, "sensitive_personalization": True}
    with pytest.raises(ValidationError, match="needs personalization"):
        clean_consent_choices(choices)
