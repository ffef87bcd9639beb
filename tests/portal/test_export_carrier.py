"""A portal download of the customer's data leaves the system as a file: it is
registered as a data carrier of kind exported-file with an expiry; the on-screen summary
is not a file and registers nothing."""

import pytest

from disposal.models import CarrierKind, DataCarrier

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_json_download_registers_an_exported_file_carrier(signed_in, customer):
    signed_in.get("/portal/export/summary/")
    assert not DataCarrier.objects.exists()
    signed_in.get("/portal/export/my-data.json")
    carrier = DataCarrier.objects.get()
    assert (carrier.kind, carrier.source) == (CarrierKind.EXPORTED_FILE, "portal")
    assert carrier.expires_at is not None and "profile" in carrier.holds
    assert str(customer.pk) not in carrier.label and customer.email not in carrier.label
