"""Issue 32, item 2: no surface grants a double opt-in purpose without the person's
confirmation. A lead's imported `marketing_email` was never confirmed: converting the
lead asks the new customer to confirm instead of granting it; one confirmed through the
lead's mailed link carries over."""

import pytest
from django.core import mail

from consent.models import ConsentConfirmation, ConsentEvent
from consent.selectors import current_consents
from leads import services
from leads.models import CaptureMethod, LeadStatus

pytestmark = pytest.mark.django_db(databases="__all__")


def _convert(lead):
    services.set_lead_status(lead=lead, status=LeadStatus.QUALIFIED, actor="staff:1")
    return services.convert_lead(lead=lead, actor="staff:1", account_agreed=True)


def test_an_unconfirmed_double_opt_in_is_asked_again_on_conversion_a_confirmed_one_carries(
    make_lead, django_capture_on_commit_callbacks
):
    imported = make_lead(purposes=("marketing_email", "marketing_post"))
    with django_capture_on_commit_callbacks(execute=True):
        customer = _convert(imported)
    consents = current_consents(customer.pk)
    assert consents["marketing_post"].granted
    assert not consents["marketing_email"].granted
    waiting = ConsentConfirmation.objects.get(customer=customer)
    assert (waiting.purpose_id, waiting.confirmed_at) == ("marketing_email", None)
    assert len(mail.outbox) == 1 and "/portal/consents/confirm/" in mail.outbox[0].body

    capture = services.capture_lead(
        contact={"email": "form.lead@example.org"},
        purposes=["marketing_email"],
        source="shop",
        method=CaptureMethod.FORM,
        channel="shop",
        actor="anonymous",
    )
    services.confirm_lead_consent(token=capture.tokens["marketing_email"], actor="anonymous")
    confirmed = _convert(capture.lead)
    assert current_consents(confirmed.pk)["marketing_email"].granted
    carried = ConsentEvent.objects.get(customer=confirmed, purpose_id="marketing_email")
    assert (carried.confirmation_method, carried.vouched) == ("email_link", False)
    assert carried.confirmed_at is not None
    assert not ConsentConfirmation.objects.filter(customer=confirmed).exists()
