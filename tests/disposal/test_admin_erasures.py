"""Issue 25, item 5: the Django admin cannot open an erasure. An erasure starts on the
privacy desk, after the requester is verified, or from the customer; a superuser typing a
customer id into an admin form would skip that verification."""

import pytest

from customers.models import Customer
from disposal.models import ErasureRequest
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(databases="__all__")

ERASURES = "/admin/disposal/erasurerequest/"


def test_the_admin_has_no_form_to_open_an_erasure(admin_client):
    ada = CustomerFactory()
    assert admin_client.get(f"{ERASURES}add/").status_code == 403
    posted = admin_client.post(f"{ERASURES}add/", {"customer_id": str(ada.pk)})
    assert posted.status_code == 403
    assert not ErasureRequest.objects.exists()
    assert Customer.objects.filter(pk=ada.pk).exists()
    listing = admin_client.get(ERASURES).content.decode()
    assert f'href="{ERASURES}add/"' not in listing
