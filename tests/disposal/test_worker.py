"""The pipeline on a real Celery worker (CI starts one on the test databases; without
REDIS_URL the same test runs the jobs in-process)."""

import time

import pytest
from rest_framework.test import APIClient

from api.models import StorefrontKey
from customers.models import Customer
from disposal.models import ErasureRequest
from disposal.verification import verify_erasure
from tests.backups import stored
from tests.factories import CustomerFactory
from vault.exceptions import KeyDestroyed

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


def wait_for(request_id, timeout=60.0) -> ErasureRequest:
    deadline = time.monotonic() + timeout
    while True:
        request = ErasureRequest.objects.get(pk=request_id)
        if request.status in ("done", "failed") or time.monotonic() > deadline:
            return request
        time.sleep(0.2)


def test_an_erasure_requested_through_the_api_is_run_by_the_worker(reference_data):
    customer = CustomerFactory()
    backup = Customer.objects.get(pk=customer.pk)  # a copy of the row as stored
    _, key = StorefrontKey.objects.create_key(name="worker", scopes=["privacy", "customers"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    accepted = client.post(f"/api/v1/customers/{customer.pk}/erasure/")
    assert accepted.status_code == 202

    request = wait_for(accepted.json()["id"])
    assert request.status == "done", request.error
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404
    body = client.get(f"/api/v1/erasure-requests/{request.pk}/").json()
    assert body["certificate"]["rows_removed"]["profile"] == 1
    with pytest.raises(KeyDestroyed):
        _ = Customer(**stored(backup)).email
    assert verify_erasure(request.pk).clean
