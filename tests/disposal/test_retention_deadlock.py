"""Retention deletes old rows in batches while the erasures it requested delete the same
customers' rows in another order. When PostgreSQL breaks the resulting deadlock by
rolling the retention batch back, the batch is tried again instead of the run failing.

A real deadlock on two connections: the other transaction locks the second row, the
batch's DELETE locks the first and waits for the second, then the other transaction
asks for the first. The batch began waiting first, so its deadlock check runs first and
it is the one PostgreSQL rolls back."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from customers.models import Purchase
from disposal import retention

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and deadlocks"),
]


def test_a_retention_batch_rolled_back_by_a_deadlock_is_tried_again(
    reference_data, make_customer, buy
):
    customer = make_customer()
    buy(customer, "OLD-1", days_ago=4000)
    buy(customer, "OLD-2", days_ago=4000)
    first, second = Purchase.objects.order_by("pk").values_list("pk", flat=True)
    holding, outcome = threading.Event(), {}

    def other_transaction():
        try:
            with transaction.atomic():
                Purchase.objects.select_for_update().filter(pk=second).get()
                holding.set()
                time.sleep(0.4)  # the batch is waiting for `second` by now
                outcome["other"] = len(Purchase.objects.select_for_update().filter(pk=first))
        except Exception as error:  # the deadlock must not land here
            outcome["other"] = type(error).__name__
        finally:
            connections.close_all()

    other = threading.Thread(target=other_transaction)
    other.start()
    assert holding.wait(5)
    removed = retention._delete_batch(Purchase, [first, second])
    other.join(10)

    assert removed == 2
    assert outcome["other"] == 1  # it went on once the batch stepped back
    assert not Purchase.objects.filter(pk__in=[first, second]).exists()


def test_a_deadlock_on_the_last_attempt_is_raised(reference_data, make_customer, buy):
    """Not swallowed: after DEADLOCK_ATTEMPTS the operator sees the error."""
    customer = make_customer()
    buy(customer, "OLD-1", days_ago=4000)
    buy(customer, "OLD-2", days_ago=4000)
    first, second = Purchase.objects.order_by("pk").values_list("pk", flat=True)
    holding = threading.Event()

    def other_transaction():
        try:
            with transaction.atomic():
                Purchase.objects.select_for_update().filter(pk=second).get()
                holding.set()
                time.sleep(0.4)
                list(Purchase.objects.select_for_update().filter(pk=first))
        finally:
            connections.close_all()

    other = threading.Thread(target=other_transaction)
    other.start()
    assert holding.wait(5)
    with pytest.raises(Exception, match="deadlock detected"):
        retention._delete_batch(Purchase, [first, second], attempts=1)
    other.join(10)
    assert Purchase.objects.filter(pk__in=[first, second]).count() == 2
