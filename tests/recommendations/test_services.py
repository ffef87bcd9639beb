from datetime import timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from consent.models import ConsentSource
from consent.services import set_consent
from customers.models import Purchase
from recommendations import selectors
from recommendations.batches import apply_pending_forgets
from recommendations.models import Build, BuildRun, Contributor, ItemCounts, Neighbour
from recommendations.services import build_model, forget_customer
from recommendations.tasks import rebuild_recommendations, resume_interrupted_builds
from vault import registry
from vault.services import destroy_key

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("no_min_support"),
]


def also(product) -> list[str]:
    return [item.sku for item in selectors.also_bought(product)]


def snapshot() -> dict:
    """The active model as plain data: neighbours and counts per sku."""
    build = Build.objects.get(is_active=True)
    neighbours = {}
    for product, neighbour, score in Neighbour.objects.filter(build=build).values_list(
        "product__sku", "neighbour__sku", "score"
    ):
        neighbours.setdefault(product, {})[neighbour] = score
    counts = {}
    for row in ItemCounts.objects.filter(build=build).select_related("product"):
        partners = np.frombuffer(bytes(row.partners), dtype=np.int64).tolist()
        values = np.frombuffer(bytes(row.counts), dtype=np.float64).tolist()
        if row.customers:
            pairs = zip(partners, values, strict=True)
            counts[row.product.sku] = (
                row.customers,
                round(row.bought, 9),
                *sorted((p, round(v, 9)) for p, v in pairs if v),
            )
    return {"neighbours": neighbours, "counts": counts}


def assert_same_model(left: dict, right: dict) -> None:
    assert left["counts"] == right["counts"]
    assert left["neighbours"].keys() == right["neighbours"].keys()
    for product, scores in left["neighbours"].items():
        assert scores.keys() == right["neighbours"][product].keys()
        assert np.allclose(
            [scores[n] for n in sorted(scores)],
            [right["neighbours"][product][n] for n in sorted(scores)],
        )


@pytest.fixture
def shoppers(make_customer, buy, catalogue):
    """Three consenting customers with overlapping baskets and one who did not consent."""
    c = catalogue
    ada, bob, cy = make_customer(), make_customer(), make_customer()
    buy(ada, c["a"], c["b"], c["c"])
    buy(bob, c["a"], c["b"])
    buy(bob, c["d"])
    buy(cy, c["b"], c["c"], c["d"], c["e"])
    dan = make_customer(consents={"account": True, "personalization": False})
    buy(dan, c["a"], c["h"])
    return ada, bob, cy, dan


def test_a_build_learns_only_from_customers_with_personalization_consent(shoppers, catalogue):
    ada, bob, cy, _ = shoppers
    build = build_model()
    assert build.is_active and build.customers == 3
    assert set(Contributor.objects.values_list("customer_id", flat=True)) == {
        ada.pk, bob.pk, cy.pk
    }  # fmt: skip
    assert "B" in also(catalogue["a"])
    assert "H" not in also(catalogue["a"]) and also(catalogue["h"]) == []


def test_sensitive_products_are_neither_evidence_nor_recommended(
    make_customer, make_product, buy, catalogue
):
    pills = make_product(sku="PILLS", category="pharmacy")
    first, second = make_customer(), make_customer()
    buy(first, catalogue["a"], pills, catalogue["b"])
    buy(second, pills, catalogue["c"])
    build_model()
    assert "PILLS" not in also(catalogue["a"]) and also(pills) == []
    assert "C" not in also(catalogue["a"])  # only linked through the pills
    assert not ItemCounts.objects.filter(product=pills).exists()
    found = selectors.recommendations_for(second.pk)
    assert all("PILLS" not in item.because and item.sku != "PILLS" for item in found.results)


def test_a_new_build_replaces_the_old_one_and_readers_never_see_it_half_written(
    shoppers, catalogue, make_customer, buy
):
    build_model()
    before = also(catalogue["a"])
    newcomer = make_customer()
    buy(newcomer, catalogue["a"], catalogue["f"], catalogue["g"])
    seen_while_writing = []

    def progress(message):
        if message.startswith("wrote"):  # inside the build's transaction, before the flip
            seen_while_writing.append(also(catalogue["a"]))

    second = build_model(progress=progress)
    assert seen_while_writing and all(seen == before for seen in seen_while_writing)
    assert Build.objects.get(is_active=True) == second
    assert "F" in also(catalogue["a"]) and "F" not in before


def test_only_the_last_two_builds_are_kept(shoppers):
    builds = [build_model() for _ in range(3)]
    assert list(Build.objects.order_by("pk")) == builds[1:]


def test_withdrawing_personalization_forgets_the_customer_exactly_as_a_fresh_build_would(
    shoppers, django_capture_on_commit_callbacks
):
    bob = shoppers[1]
    build_model()
    whole = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        set_consent(
            customer=bob, purpose="personalization", granted=False,
            source=ConsentSource.API, actor="system",
        )  # fmt: skip
    assert not Contributor.objects.filter(customer_id=bob.pk).exists()
    forgotten = snapshot()
    assert forgotten["counts"] != whole["counts"]
    build_model()
    assert_same_model(forgotten, snapshot())
    assert AuditEvent.objects.filter(
        action=AuditAction.RECOMMENDATIONS_FORGOTTEN, subject_id=bob.pk
    ).exists()


def test_the_erasure_forget_handler_is_idempotent_and_needs_no_purchase_rows(shoppers):
    cy = shoppers[2]
    build_model()
    destroy_key(subject_id=cy.pk)
    handler = registry.forget_handlers()["recommendations"]
    handler([cy.pk])
    apply_pending_forgets()
    once = snapshot()
    Purchase.objects.filter(customer=cy).delete()
    handler([cy.pk])  # a re-run after a crash
    assert apply_pending_forgets() == 0
    assert_same_model(once, snapshot())
    assert forget_customer(customer_id=cy.pk) == 0
    build_model()  # cy's key is destroyed: a fresh build leaves them out too
    assert_same_model(once, snapshot())


def test_a_customer_forgotten_while_a_build_runs_does_not_go_live_with_it(shoppers, catalogue):
    cy = shoppers[2]

    def withdraw_midway(message):
        if message.startswith("counted"):  # after the read, before going live
            with transaction.atomic():
                set_consent(
                    customer=cy, purpose="personalization", granted=False,
                    source=ConsentSource.API, actor="system",
                )  # fmt: skip

    build_model(progress=withdraw_midway)
    raced = snapshot()
    assert not Contributor.objects.filter(customer_id=cy.pk).exists()
    build_model()
    assert_same_model(raced, snapshot())


def test_building_with_no_purchases_makes_an_empty_model(customer):
    build = build_model()
    assert build.is_active and build.products == 0 and build.customers == 0
    assert selectors.recommendations_for(customer.pk).results == []


def test_the_management_command_builds_and_reports_progress(shoppers, capsys):
    call_command("build_recommendations")
    output = capsys.readouterr().out
    assert "read 3 consenting customers" in output and "is active" in output
    assert Build.objects.filter(is_active=True, customers=3).exists()


def test_the_scheduled_task_builds_a_model(shoppers, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["rebuild-recommendations"]
    assert schedule["task"] == rebuild_recommendations.name
    build_id = rebuild_recommendations.delay().get()
    assert Build.objects.get(is_active=True).pk == build_id


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_build_whose_worker_died_is_started_again_by_the_minutes_sweep(reference_data):
    assert resume_interrupted_builds() == 0  # nothing ran: nothing to resume
    killed = BuildRun.objects.create(lease_expires_at=timezone.now() - timedelta(seconds=1))
    alive = BuildRun.objects.create(lease_expires_at=timezone.now() + timedelta(minutes=2))
    assert resume_interrupted_builds() == 1
    assert BuildRun.objects.get(pk=killed.pk).outcome == "interrupted"
    assert not Build.objects.exists()  # another run is under way: no second build

    BuildRun.objects.filter(pk=alive.pk).update(lease_expires_at=timezone.now())
    assert resume_interrupted_builds() == 1
    rerun = BuildRun.objects.filter(outcome="built").get()
    assert rerun.build.is_active  # queued through the outbox and built at once (eager)
    assert resume_interrupted_builds() == 0
