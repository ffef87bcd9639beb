"""Batched forgetting (recommendations.batches): erasures within RECS_FORGET_BATCH_SECONDS
are subtracted from the counts together, while each erasure takes its contributor rows
and its share of the pair supports out at once."""

import pytest

from disposal.models import ErasureRequest, ErasureSource, ErasureStep
from disposal.services import request_erasure, run_erasure
from outbox.models import Job
from recommendations import batches, selectors
from recommendations.batches import APPLY_TASK, apply_pending_forgets
from recommendations.models import Contributor, PendingForget
from recommendations.services import build_model
from tests.recommendations.test_services import assert_same_model, snapshot

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def crowd(make_customer, make_product, buy):
    """Five buy A with B (exactly RECS_MIN_SUPPORT); six more buy A with C."""
    a, b, c = (make_product(sku=sku, category="books") for sku in "ABC")
    five = [make_customer() for _ in range(5)]
    for customer in five:
        buy(customer, a, b)
    six = [make_customer() for _ in range(6)]
    for customer in six:
        buy(customer, a, c)
    build_model()
    return a, five, six


def _erase(customer, until=None):
    request = request_erasure(customer_id=customer.pk, source=ErasureSource.API, actor="api:k")
    return run_erasure(request_id=request.pk, until=until)


def test_a_pair_under_the_floor_is_gone_on_the_first_request_after_the_erasure(crowd):
    a, five, _ = crowd
    assert {item.sku for item in selectors.also_bought(a)} == {"B", "C"}
    request = _erase(five[0])
    assert request.status == "done"
    assert PendingForget.objects.count() == 1  # the counts wait for the batch...
    assert [item.sku for item in selectors.also_bought(a)] == ["C"]  # ...the pair does not
    assert not Contributor.objects.filter(customer_id=five[0].pk).exists()


def test_erasures_in_one_window_share_one_job_and_leave_the_model_as_a_fresh_build(crowd):
    _, five, six = crowd
    for customer in (five[1], six[0], six[1]):
        assert _erase(customer).status == "done"
    assert Job.objects.filter(task=APPLY_TASK, dispatched_at__isnull=True).count() == 1
    assert apply_pending_forgets() == 3
    assert not PendingForget.objects.exists()
    batched = snapshot()
    build_model()  # their keys are destroyed: a fresh build leaves them out
    assert_same_model(batched, snapshot())


def test_a_batch_killed_midway_leaves_every_erasure_resumable(crowd, monkeypatch):
    _, five, six = crowd
    requests = [_erase(customer, until=ErasureStep.FORGOTTEN) for customer in (five[2], six[2])]
    forgotten = snapshot()  # supports out, counts pending

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(batches, "_write_neighbours", killed)
    with pytest.raises(SystemExit):
        apply_pending_forgets()
    assert PendingForget.objects.count() == 2  # rolled back: both still pending
    assert_same_model(forgotten, snapshot())
    monkeypatch.undo()

    for request in requests:
        assert run_erasure(request_id=request.pk).status == "done"
    assert apply_pending_forgets() == 2
    batched = snapshot()
    build_model()
    assert_same_model(batched, snapshot())
    assert ErasureRequest.objects.filter(status="done").count() == 2


def test_erasures_in_one_job_take_a_pair_under_the_floor_together(crowd):
    """Six buy A with C: two erased in one job bring the pair to four, under the floor
    of five, though neither alone would have."""
    a, _, six = crowd
    requests = [
        request_erasure(customer_id=customer.pk, source=ErasureSource.API, actor="api:k")
        for customer in six[3:5]
    ]
    run_erasure(request_id=requests[0].pk, batch_size=10)
    assert ErasureRequest.objects.filter(status="done").count() == 2
    assert [item.sku for item in selectors.also_bought(a)] == ["B"]
    assert PendingForget.objects.count() == 2
    assert apply_pending_forgets() == 2
    batched = snapshot()
    build_model()
    assert_same_model(batched, snapshot())
