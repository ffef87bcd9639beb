"""Issue 32, item 2: the ledger takes a grant of a CONSENT_DOUBLE_OPT_IN purpose only
with its confirmation (the mailed link, or a source's vouched-for evidence) or as a
repeat of a grant in force; withdrawals always."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from consent.evidence import Confirmation
from consent.models import ConsentEvent, ConsentSource
from consent.opt_in import request_confirmation
from consent.selectors import current_consents, current_notices
from consent.services import (
    CarriedConsent,
    carry_over_consents,
    set_consent,
)

pytestmark = pytest.mark.django_db(databases="__all__")


def _set(customer, granted, **extra):
    return set_consent(
        customer=customer,
        purpose="marketing_email",
        granted=granted,
        source=ConsentSource.STAFF,
        actor="staff:1",
        **extra,
    )


def test_the_ledger_refuses_an_unconfirmed_double_opt_in_grant(customer):
    with pytest.raises(ValidationError) as refused:
        _set(customer, True)
    assert "consents" in refused.value.message_dict
    assert not current_consents(customer.pk)["marketing_email"].granted
    assert not ConsentEvent.objects.filter(customer=customer, purpose_id="marketing_email")


def test_a_vouched_confirmation_is_kept_with_the_grant(customer):
    at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    _set(customer, True, confirmation=Confirmation(at, "shop_form"))
    event = ConsentEvent.objects.get(customer=customer, purpose_id="marketing_email")
    assert (event.confirmed_at, event.confirmation_method, event.vouched) == (
        at,
        "shop_form",
        True,
    )
    # Granted: a repeat needs nothing more; a withdrawal is at once.
    _set(customer, True)
    _set(customer, False)
    assert not current_consents(customer.pk)["marketing_email"].granted


def test_the_portal_link_still_confirms(customer, client):
    token = request_confirmation(
        customer=customer, purpose="marketing_email", source=ConsentSource.PORTAL, actor="c"
    )
    assert client.post(f"/portal/consents/confirm/{token}/").status_code == 200
    assert current_consents(customer.pk)["marketing_email"].granted
    event = ConsentEvent.objects.get(customer=customer, purpose_id="marketing_email")
    assert (event.confirmation_method, event.vouched) == ("email_link", False)


def test_a_carried_over_double_opt_in_needs_its_confirmation(customer):
    carried = CarriedConsent(
        purpose="marketing_email",
        notice_id=current_notices()["marketing_email"].pk,
        granted=True,
        source=ConsentSource.IMPORT,
        channel="expo",
        given_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    with pytest.raises(ValidationError), transaction.atomic():
        carry_over_consents(customer=customer, history=[carried], actor="staff:1")
    assert not current_consents(customer.pk)["marketing_email"].granted
