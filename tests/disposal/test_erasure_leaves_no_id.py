"""Once an erasure is done, no table of the data database holds the customer's id in
clear (finding 11): the request keeps the pseudonym only, an unacknowledged processor
notice keeps the id sealed, and verify_erasure searches every table, the request's own
row included."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, router

from disposal import processors
from disposal.models import (
    DeliveryStatus,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    Processor,
    WebhookDelivery,
)
from disposal.selectors import erasure_request_of_subject
from disposal.services import request_erasure, run_erasure
from disposal.verification import verify_erasure

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def erased_with_notice_waiting(history):
    """An erased customer whose processor has not acknowledged the erasure notice."""
    customer = history()
    processor = processors.save_processor(
        processor=Processor(
            name="Mailer",
            agreement_reference="DPA-1",
            agreement_signed_on=date(2026, 1, 1),
            categories=["profile"],
            webhook_url="http://127.0.0.1:9/hooks",
        ),
        webhook_secret="s3cret",
    )
    processors.disclose(
        processor=processor, customer_id=customer.pk, categories=["profile"], actor="staff:1"
    )
    request = request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="op")
    run_erasure(request_id=request.pk)  # the notice's delivery is queued on commit: not sent
    return customer, ErasureRequest.objects.get(pk=request.pk)


def _tables_holding(text: str) -> list[str]:
    """Every table of the data database whose raw rows contain `text` anywhere."""
    found = []
    for model in apps.get_models():
        if router.db_for_read(model) not in (None, "default"):
            continue
        with connections["default"].cursor() as cursor:
            table = cursor.db.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (names from the models)
            for row in cursor.fetchall():
                flat = " ".join(
                    bytes(value).hex() if isinstance(value, (bytes, memoryview)) else str(value)
                    for value in row
                )
                if text in flat.lower():
                    found.append(model._meta.label_lower)
                    break
    return found


def test_no_table_holds_the_erased_customers_id_in_clear(erased_with_notice_waiting):
    customer, request = erased_with_notice_waiting
    assert request.status == ErasureStatus.DONE and request.subject_id is None
    delivery = WebhookDelivery.objects.get(erasure_request=request)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.notice_customer_id == str(customer.pk)  # sealed, still deliverable
    for form in (str(customer.pk), customer.pk.hex):
        assert _tables_holding(form) == []


def test_a_repeated_request_finds_the_done_one_through_the_keyed_hash(
    erased_with_notice_waiting,
):
    customer, request = erased_with_notice_waiting
    assert erasure_request_of_subject(customer.pk) == request
    assert erasure_request_of_subject(str(customer.pk)).pk == request.pk
    assert erasure_request_of_subject("not-a-uuid") is None


def test_verify_erasure_finds_the_subject_through_the_key_store_and_passes(
    erased_with_notice_waiting, capsys
):
    _, request = erased_with_notice_waiting
    call_command("verify_erasure", str(request.pk))
    out = capsys.readouterr().out
    assert "Nothing of the subject is left." in out
    assert "sealed under the vault's system key" in out


def test_verify_erasure_searches_the_request_itself(erased_with_notice_waiting):
    customer, request = erased_with_notice_waiting
    ErasureRequest.objects.filter(pk=request.pk).update(subject_id=customer.pk)
    result = verify_erasure(request.pk)
    assert any("disposal.erasurerequest" in finding for finding in result.findings)


def test_verify_erasure_takes_the_id_and_refuses_a_wrong_one(
    erased_with_notice_waiting, make_customer
):
    customer, request = erased_with_notice_waiting
    assert verify_erasure(request.pk, subject_id=customer.pk).clean
    with pytest.raises(CommandError, match="not the subject"):
        call_command("verify_erasure", str(request.pk), "--customer-id", str(make_customer().pk))


def test_the_migration_clears_the_id_of_requests_already_done(erased_with_notice_waiting):
    customer, request = erased_with_notice_waiting
    ErasureRequest.objects.filter(pk=request.pk).update(subject_id=customer.pk)
    migration = importlib.import_module("disposal.migrations.0004_erasure_leaves_no_subject_id")
    migration.clear_done_subject_ids(apps, None)
    assert ErasureRequest.objects.get(pk=request.pk).subject_id is None


def test_staff_find_a_done_request_by_the_customer_id_in_the_admin(
    erased_with_notice_waiting, admin_client
):
    customer, request = erased_with_notice_waiting
    listing = admin_client.get("/admin/disposal/erasurerequest/", {"q": str(customer.pk)})
    assert listing.status_code == 200
    assert str(request.pk) in listing.content.decode()
    everything = admin_client.get("/admin/disposal/erasurerequest/")
    assert str(request.pk) in everything.content.decode()
    nothing = admin_client.get("/admin/disposal/erasurerequest/", {"q": "not-an-id"})
    assert str(request.pk) not in nothing.content.decode()


def test_no_table_holds_any_id_of_a_batch_erased_together(history):
    """The same promise when one job erases several customers at once (the batch's
    statements name many subjects: each row must lose its own subject's id)."""
    customers = [history() for _ in range(3)]
    requests = [
        request_erasure(customer_id=customer.pk, source=ErasureSource.STAFF, actor="op")
        for customer in customers
    ]
    run_erasure(request_id=requests[0].pk, batch_size=10)
    assert set(ErasureRequest.objects.values_list("status", flat=True)) == {ErasureStatus.DONE}
    for customer, request in zip(customers, requests, strict=True):
        for form in (str(customer.pk), customer.pk.hex):
            assert _tables_holding(form) == []
        assert verify_erasure(request.pk, subject_id=customer.pk).clean
