"""Erasure reaches the recommendation model: the erased customer is out of the counts
exactly as if never trained on, and what they were shown is exported, then deleted."""

import pytest

from disposal.exports import export_customer
from disposal.models import ErasureSource
from disposal.services import request_erasure, run_erasure
from disposal.verification import verify_erasure
from recommendations import selectors
from recommendations.batches import apply_pending_forgets
from recommendations.models import Contributor, ShownRecommendation
from recommendations.services import build_model, record_shown
from tests.recommendations.test_services import assert_same_model, shoppers, snapshot

pytestmark = pytest.mark.django_db(databases="__all__")
__all__ = ["shoppers"]  # the fixture, shared with the services tests


def test_the_export_holds_what_the_model_learned_and_what_was_shown(shoppers):
    ada = shoppers[0]
    build_model()
    shown = selectors.recommendations_for(ada.pk)
    record_shown(customer_id=ada.pk, skus=[item.sku for item in shown.results], personalized=True)
    section = export_customer(customer_id=ada.pk, actor="staff:1")["categories"]["recommendations"]
    assert len(section["records"]["recommendations.contributor"]) == 1
    assert section["records"]["recommendations.shownrecommendation"][0]["personalized"] is True


def test_an_erased_customer_leaves_the_model_as_a_fresh_build_without_them(shoppers):
    ada = shoppers[0]
    build_model()
    ShownRecommendation.objects.create(customer=ada, skus=["B"], personalized=True)
    request = request_erasure(customer_id=ada.pk, source=ErasureSource.API, actor="api:k")
    run_erasure(request_id=request.pk)

    assert not Contributor.objects.filter(customer_id=ada.pk).exists()
    assert not ShownRecommendation.objects.filter(customer_id=ada.pk).exists()
    assert apply_pending_forgets() == 1  # the batch her erasure joined
    erased = snapshot()
    build_model()  # ada is gone: her purchase lines are unlinked, her key destroyed
    assert_same_model(erased, snapshot())
    assert verify_erasure(request.pk).clean


def test_with_batching_off_an_erasure_forgets_at_once(shoppers, settings):
    settings.RECS_FORGET_BATCH_SECONDS = 0
    ada = shoppers[0]
    build_model()
    request = request_erasure(customer_id=ada.pk, source=ErasureSource.API, actor="api:k")
    run_erasure(request_id=request.pk)
    erased = snapshot()
    assert apply_pending_forgets() == 0
    build_model()
    assert_same_model(erased, snapshot())
