"""A retention period under the floor (30 days) is refused unless forced, and the
refusal first says how much would go; the nightly run never applies one that was not
forced. Exports to a file are private from the moment the file exists."""

import io
import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from customers.models import Customer
from disposal.admin import RetentionPolicyForm
from disposal.models import RETENTION_FLOOR_DAYS, ErasureRequest, RetentionPolicy
from disposal.retention import apply_retention

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def idle_customers(make_customer):
    customers = [make_customer() for _ in range(3)]
    Customer.objects.update(updated_at=timezone.now() - timedelta(days=40))
    return customers


def _form(policy, keep_days, **extra):
    data = {
        "category": policy.category,
        "keep_days": keep_days,
        "active": True,
        "reason": "",
        **extra,
    }
    return RetentionPolicyForm(data=data, instance=policy)


@pytest.mark.parametrize("keep_days", [0, 1, RETENTION_FLOOR_DAYS - 1])
def test_a_period_under_the_floor_is_refused_with_the_dry_run_count(idle_customers, keep_days):
    policy = RetentionPolicy.objects.get(category="inactive_customers")
    form = _form(policy, keep_days)
    assert not form.is_valid()
    message = " ".join(form.errors["keep_days"])
    if keep_days == 0:
        assert "at least one day" in message
    else:
        assert f"{RETENTION_FLOOR_DAYS} days" in message
        assert "Dry run: 3 would go" in message
    policy.refresh_from_db()
    assert policy.keep_days == 3 * 365


def test_forcing_after_the_dry_run_saves_it_and_the_nightly_run_applies_it(idle_customers):
    policy = RetentionPolicy.objects.get(category="inactive_customers")
    form = _form(policy, 1, force="on")
    assert form.is_valid(), form.errors
    form.save()
    policy.refresh_from_db()
    assert policy.keep_days == 1 and policy.below_floor_forced
    apply_retention()
    assert ErasureRequest.objects.count() == 3


def test_a_period_at_or_over_the_floor_needs_no_forcing(idle_customers):
    policy = RetentionPolicy.objects.get(category="interactions")
    form = _form(policy, RETENTION_FLOOR_DAYS)
    assert form.is_valid(), form.errors
    form.save()
    policy.refresh_from_db()
    assert policy.keep_days == RETENTION_FLOOR_DAYS and not policy.below_floor_forced


def test_the_nightly_run_skips_a_period_under_the_floor_that_was_never_forced(idle_customers):
    RetentionPolicy.objects.filter(category="inactive_customers").update(keep_days=0)
    outcomes = {outcome.policy: outcome for outcome in apply_retention()}
    assert not ErasureRequest.objects.exists()
    assert Customer.objects.count() == 3
    skipped = outcomes["inactive_customers"]
    assert "floor" in skipped.skipped and skipped.count == 3
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "inactive_customers: skipped" in out.getvalue()
    assert "3 would go" in out.getvalue()


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_export_customer_creates_the_file_with_mode_600_not_chmod_after(
    customer, tmp_path, monkeypatch, open_umask
):
    def no_chmod(*args, **kwargs):
        raise AssertionError("the file must be created private, not made private later")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    target = tmp_path / "export.json"
    call_command("export_customer", str(customer.pk), "--output", str(target), stderr=io.StringIO())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["customer_id"] == str(customer.pk)


def test_export_customer_never_writes_into_an_existing_file_or_link(customer, tmp_path):
    existing = tmp_path / "taken.json"
    existing.write_text("{}")
    with pytest.raises(CommandError, match="exists"):
        call_command("export_customer", str(customer.pk), "--output", str(existing))
    assert existing.read_text() == "{}"
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(CommandError, match="exists"):
        call_command("export_customer", str(customer.pk), "--output", str(link))
    assert not (tmp_path / "elsewhere.json").exists()
