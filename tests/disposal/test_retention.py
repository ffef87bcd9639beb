"""Retention picks exactly the expired rows, respects legal holds, and records each
disposal without personal data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer, Interaction, InteractionChannel, Purchase
from customers.services import PurchaseLine, record_interaction, record_purchases
from disposal.models import DisposalKind, DisposalRecord, ErasureRequest, RetentionPolicy
from disposal.retention import apply_retention
from vault.services import subject_pseudonym

pytestmark = pytest.mark.django_db(databases="__all__")
DAY = timedelta(days=1)


@pytest.fixture
def policies():
    RetentionPolicy.objects.filter(category="interactions").update(keep_days=730)
    RetentionPolicy.objects.filter(category="purchase_detail").update(keep_days=365)
    RetentionPolicy.objects.filter(category="inactive_customers").update(keep_days=1095)


def note(customer, days_ago):
    return record_interaction(
        customer=customer,
        channel=InteractionChannel.PHONE,
        note="Called about delivery.",
        actor="staff:1",
        occurred_at=timezone.now() - days_ago * DAY,
    )


def buy(customer, product, days_ago, order):
    record_purchases(
        lines=[
            PurchaseLine(
                customer.pk, order, product.sku, 1, Decimal("5.00"), timezone.now() - days_ago * DAY
            )
        ],
        actor="api-key:t",
    )
    return Purchase.objects.get(order_id=order)


def test_interactions_older_than_the_period_go_and_no_others(policies, customer):
    old, edge, fresh = note(customer, 731), note(customer, 729), note(customer, 10)
    apply_retention()
    assert set(Interaction.objects.values_list("pk", flat=True)) == {edge.pk, fresh.pk}
    assert not Interaction.objects.filter(pk=old.pk).exists()
    record = DisposalRecord.objects.get(kind=DisposalKind.RETENTION, policy="interactions")
    assert record.rows_removed == {"interactions": 1}
    assert str(customer.pk) not in str(vars(record))


def test_a_legal_hold_outlasts_a_shorter_policy(policies, settings, customer, product):
    # The policy says one year; invoice lines are held for INVOICE_HOLD_DAYS.
    hold = settings.INVOICE_HOLD_DAYS
    past_policy = buy(customer, product, 400, "o-1")
    past_hold = buy(customer, product, hold + 5, "o-2")
    outcomes = {outcome.policy: outcome for outcome in apply_retention()}
    assert outcomes["purchase_detail"].keep_days == hold
    assert "tax" in outcomes["purchase_detail"].held_by
    assert Purchase.objects.filter(pk=past_policy.pk).exists()
    assert not Purchase.objects.filter(pk=past_hold.pk).exists()


def test_inactive_customers_are_erased_through_the_pipeline(
    policies, make_customer, product, django_capture_on_commit_callbacks
):
    dormant, active, bought_lately = make_customer(), make_customer(), make_customer()
    long_ago = timezone.now() - 1200 * DAY
    Customer.objects.filter(pk__in=[dormant.pk, bought_lately.pk]).update(updated_at=long_ago)
    buy(bought_lately, product, 30, "recent")
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention()
    assert set(Customer.objects.values_list("pk", flat=True)) == {active.pk, bought_lately.pk}
    assert ErasureRequest.objects.get(subject_pseudonym=subject_pseudonym(dormant.pk)).status == (
        "done"
    )


def test_a_dry_run_lists_what_would_go_and_changes_nothing(policies, customer, capsys):
    old = note(customer, 800)
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "interactions: 1 would go" in out and str(old.pk) in out
    assert Interaction.objects.filter(pk=old.pk).exists()
    assert not DisposalRecord.objects.exists()


def test_an_inactive_policy_is_skipped(policies, customer):
    old = note(customer, 800)
    RetentionPolicy.objects.filter(category="interactions").update(active=False)
    apply_retention()
    assert Interaction.objects.filter(pk=old.pk).exists()


def test_retention_is_on_the_daily_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["apply-retention-daily"]
    assert schedule["task"] == "disposal.tasks.apply_retention"


@pytest.mark.django_db(transaction=True, databases="__all__")
@pytest.mark.usefixtures("reference_data")
def test_the_command_reports_progress_on_stderr_and_waits_for_every_erasure(
    policies, make_customer, capsys, monkeypatch, settings
):
    from disposal.management.commands import apply_retention as command

    monkeypatch.setattr(command, "PROGRESS_EVERY", 2)
    settings.ERASURE_BATCH_SIZE = 2  # requests are opened (and reported) a batch at a time
    dormant = [make_customer() for _ in range(3)]
    Customer.objects.filter(pk__in=[c.pk for c in dormant]).update(
        updated_at=timezone.now() - 1200 * DAY
    )
    call_command("apply_retention", "--wait")  # the jobs run in-process as committed
    captured = capsys.readouterr()
    assert "2/3" in captured.err and "3/3" in captured.err  # the sweep's progress
    assert "erased 3/3" in captured.err  # the erasures' progress
    assert "inactive_customers: 3 went" in captured.out
    assert "erased 3 in" in captured.out  # the summary: how long, start to last
    assert not Customer.objects.filter(pk__in=[c.pk for c in dormant]).exists()
    assert set(ErasureRequest.objects.values_list("status", flat=True)) == {"done"}
