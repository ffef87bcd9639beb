"""Erasures in batches: a job takes the requests waiting with it and runs each step for
all of them at once (ERASURE_BATCH_SIZE). Each request still ends as it would alone:
its own certificate and counts, its own pseudonym on its own rows, its own notices; a
fault in one request holds up no other; a retried job takes its batch up again."""

import uuid
from datetime import date

import pytest

from audit.models import AuditAction, AuditEvent
from customers.models import Customer, Purchase
from disposal import services
from disposal.models import (
    Disclosure,
    DisposalRecord,
    ErasureRequest,
    ErasureSource,
    ErasureStatus,
    ErasureStep,
    Processor,
    WebhookDelivery,
)
from disposal.processors import save_processor
from outbox.models import Job
from vault.models import DataKey, Tombstone
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")


def ask(customer) -> ErasureRequest:
    # Outside a captured commit the request's own job never runs: it waits, pending.
    return services.request_erasure(
        customer_id=customer.pk, source=ErasureSource.API, actor="api-key:k"
    )


def certificate(request) -> DisposalRecord:
    return DisposalRecord.objects.get(erasure_request_id=request.pk)


def test_one_job_erases_every_waiting_request_with_the_same_certificate_as_alone(history):
    alone_customer = history()
    alone = ask(alone_customer)
    services.run_erasure(request_id=alone.pk, batch_size=1)
    customers = [history() for _ in range(3)]
    kept = history()
    requests = [ask(customer) for customer in customers]

    services.run_erasure(request_id=requests[0].pk, batch_size=10, holder="job-1")

    expected = certificate(alone)
    assert sum(expected.rows_removed.values()) >= 4  # the history: purchases, a note...
    for customer, request in zip(customers, requests, strict=True):
        request.refresh_from_db()
        assert request.status == ErasureStatus.DONE
        assert request.steps_done == [step.value for step, _ in services.STEPS]
        assert request.subject_id is None and request.attempts == 1
        record = certificate(request)
        assert record.id == request.certificate_id
        assert record.rows_removed == expected.rows_removed
        assert record.rows_pseudonymized == expected.rows_pseudonymized
        assert not Customer.objects.filter(pk=customer.pk).exists()
        assert DataKey.objects.get(subject_id=customer.pk).is_destroyed
        assert Tombstone.objects.get(pseudonym=request.subject_pseudonym).request_id == request.pk
        assert AuditEvent.objects.filter(
            action=AuditAction.ERASURE_COMPLETED, object_id=str(request.pk)
        ).exists()
    # The customer nobody asked about is untouched, and the kept one is still readable.
    assert ErasureRequest.objects.filter(status=ErasureStatus.DONE).count() == 4
    assert Purchase.objects.filter(customer=kept).count() == 2
    assert not DataKey.objects.get(subject_id=kept.pk).is_destroyed


def test_each_pseudonymized_row_carries_its_own_subjects_pseudonym(history):
    first, second = history(), history()
    requests = [ask(first), ask(second)]
    own_events = {
        customer.pk: set(
            AuditEvent.objects.filter(subject_id=customer.pk).values_list("pk", flat=True)
        )
        for customer in (first, second)
    }

    services.run_erasure(request_id=requests[0].pk, batch_size=10)

    for customer in (first, second):
        pseudonym = subject_pseudonym(customer.pk)
        events = AuditEvent.objects.filter(pk__in=own_events[customer.pk])
        assert events.count() == len(own_events[customer.pk]) > 0
        assert set(events.values_list("subject_pseudonym", flat=True)) == {pseudonym}
        assert not AuditEvent.objects.filter(subject_id=customer.pk).exists()


def test_each_processor_hears_only_of_the_customers_it_was_given(history):
    told = save_processor(
        processor=Processor(
            name="Told Co",
            webhook_url="https://told.example/hooks",
            agreement_reference="DPA-1",
            agreement_signed_on=date(2026, 1, 1),
            categories=["profile"],
        ),
        webhook_secret="whsec_" + "a" * 32,
    )
    shared, private = history(), history()
    Disclosure.objects.create(processor=told, customer_id=shared.pk, categories=["profile"])
    requests = [ask(shared), ask(private)]

    services.run_erasure(request_id=requests[1].pk, batch_size=10)

    assert list(WebhookDelivery.objects.values_list("erasure_request_id", flat=True)) == [
        requests[0].pk
    ]
    assert certificate(requests[0]).processors_notified == [
        {"processor": "Told Co", "agreement": "DPA-1"}
    ]
    assert certificate(requests[1]).processors_notified == []


def test_a_fault_in_one_request_holds_up_no_other(history, monkeypatch):
    customers = [history() for _ in range(3)]
    bad = customers[1].pk
    requests = [ask(customer) for customer in customers]

    def refuses_one(subject_ids):
        if bad in subject_ids:
            raise RuntimeError("this subject's derived data cannot be reached")

    monkeypatch.setattr("vault.registry._forget_handlers", {"refuses_one": refuses_one})
    services.run_erasure(request_id=requests[0].pk, batch_size=10)

    statuses = [ErasureRequest.objects.get(pk=r.pk).status for r in requests]
    assert statuses == [ErasureStatus.DONE, ErasureStatus.FAILED, ErasureStatus.DONE]
    failed = ErasureRequest.objects.get(pk=requests[1].pk)
    assert failed.error == "RuntimeError" and failed.steps_done == [ErasureStep.KEY_DESTROYED]
    assert AuditEvent.objects.filter(
        action=AuditAction.ERASURE_FAILED, object_id=str(failed.pk)
    ).exists()

    # The job whose own request failed says so; once mended, the request finishes.
    with pytest.raises(RuntimeError):
        services.run_erasure(request_id=failed.pk, batch_size=10)
    monkeypatch.setattr("vault.registry._forget_handlers", {})
    assert services.run_erasure(request_id=failed.pk).status == ErasureStatus.DONE


def test_a_retried_job_takes_its_batch_up_again_and_no_other_job_steals_it(history):
    customers = [history() for _ in range(3)]
    requests = [ask(customer) for customer in customers]
    services.run_erasure(
        request_id=requests[0].pk, batch_size=10, holder="job-1", until=ErasureStep.FORGOTTEN
    )
    # Cut off after forgetting (the way a lost connection stops a run): all three wait.
    assert set(ErasureRequest.objects.values_list("lease_holder", flat=True)) == {"job-1"}
    assert all(
        r.steps_done == [ErasureStep.KEY_DESTROYED, ErasureStep.FORGOTTEN]
        for r in ErasureRequest.objects.all()
    )
    ErasureRequest.objects.update(lease_expires_at=services._lease_end())

    # Another job's message for one of them finds it leased and leaves it alone...
    other = services.run_erasure(request_id=requests[2].pk, batch_size=10, holder="job-2")
    assert other.status == ErasureStatus.RUNNING and other.lease_holder == "job-1"
    # ...while the retry of job-1 finishes all three.
    services.run_erasure(request_id=requests[0].pk, batch_size=10, holder="job-1")
    assert set(ErasureRequest.objects.values_list("status", flat=True)) == {ErasureStatus.DONE}


def test_a_job_of_batch_size_one_leaves_the_others_waiting(history):
    first, second = history(), history()
    requests = [ask(first), ask(second)]
    services.run_erasure(request_id=requests[0].pk, batch_size=1)
    assert ErasureRequest.objects.get(pk=requests[1].pk).status == ErasureStatus.PENDING


def test_a_retention_sweep_opens_requests_a_batch_at_a_time_with_one_job_each(
    make_customer, settings
):
    settings.ERASURE_BATCH_SIZE = 2
    customers = [make_customer() for _ in range(5)]
    already = ask(customers[0])
    missing = uuid.uuid4()

    opened = services.request_erasures(
        customer_ids=[c.pk for c in customers] + [missing],
        source=ErasureSource.RETENTION,
        actor="system",
    )

    assert opened == 4  # the open request is not doubled, the unknown id not asked
    assert ErasureRequest.objects.filter(subject_id=customers[0].pk).get() == already
    assert not ErasureRequest.objects.filter(subject_id=missing).exists()
    assert ErasureRequest.objects.filter(source=ErasureSource.RETENTION).count() == 4
    assert AuditEvent.objects.filter(action=AuditAction.ERASURE_REQUESTED).count() == 5
    # One job per chunk of two ids that opened any: 1 for `ask`, then 3 for the sweep.
    assert Job.objects.filter(task="disposal.tasks.run_erasure").count() == 1 + 3
