"""Issue 27 item 4: agents claiming the next entry of a call list at the same moment
each get a different customer (row locks with SKIP LOCKED and a conditional update)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from campaigns.calls import claim_next_call
from campaigns.models import Campaign, Segment
from campaigns.services import start_send
from tests.campaigns.conftest import NO_MARKETING

AGENTS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need a server database (SQLite's test database is one "
        "connection in memory)",
    ),
]


def test_agents_claiming_at_once_get_different_entries(reference_data, make_customer):
    for _ in range(AGENTS):
        make_customer(consents={**NO_MARKETING, "marketing_phone": True})
    segment = Segment.objects.create(name="s", created_by="t")
    campaign = Campaign.objects.create(
        name="c", segment=segment, channel="phone", holdout_percent=0, created_by="t"
    )
    start_send(campaign_id=campaign.pk, actor="staff:1")
    start = threading.Barrier(AGENTS)

    def take(number):
        try:
            start.wait()
            return claim_next_call(campaign_id=campaign.pk, actor=f"staff:{number}").pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=AGENTS) as pool:
        taken = list(pool.map(take, range(100, 100 + AGENTS)))

    assert len(set(taken)) == AGENTS
    holders = set(campaign.recipients.values_list("claimed_by", flat=True))
    assert holders == {f"staff:{number}" for number in range(100, 100 + AGENTS)}
