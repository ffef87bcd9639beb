"""Issue 27 item 4, call lists that work as one: support agents claim the next entry
(never the same customer twice), record what happened (no answer, call back at, not
interested, do not call: which withdraws marketing_phone), and the campaign finishes
when the list is done or expires. Through HTTP as support agents."""

from datetime import timedelta

import pytest
from django.utils import timezone

from access.policy import Field, can_reveal
from access.roles import Role
from audit.models import AuditAction, AuditEvent
from campaigns.models import Campaign, Recipient, Segment
from campaigns.services import start_send
from consent.selectors import has_consent
from tests.campaigns.conftest import NO_MARKETING

pytestmark = pytest.mark.django_db(databases="__all__")

PHONE = {**NO_MARKETING, "marketing_phone": True}


@pytest.fixture
def call_list(make_customer):
    """call_list(n) -> (campaign, customers): a running phone campaign of n customers."""

    def make(count: int):
        customers = [make_customer(consents=PHONE) for _ in range(count)]
        segment = Segment.objects.create(name="s", created_by="t")
        campaign = Campaign.objects.create(
            name="Winter calls", segment=segment, channel="phone", holdout_percent=0,
            created_by="t",
        )  # fmt: skip
        start_send(campaign_id=campaign.pk, actor="staff:1")
        return campaign, customers

    return make


@pytest.fixture
def agents(client, make_staff):
    """agents(n) -> [(client, user)]: n support agents, each with their own session."""
    from django.test import Client

    def make(count: int):
        signed = []
        for _ in range(count):
            user = make_staff(Role.SUPPORT_AGENT)
            agent_client = Client()
            agent_client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            signed.append((agent_client, user))
        return signed

    return make


def claim(client, campaign):
    return client.post(f"/dashboard/campaigns/{campaign.pk}/calls/next/")


def held(user, campaign) -> Recipient | None:
    return campaign.recipients.filter(claimed_by=f"staff:{user.pk}", status="pending").first()


def record(client, campaign, row, outcome, **extra):
    return client.post(
        f"/dashboard/campaigns/{campaign.pk}/calls/{row.pk}/", {"outcome": outcome, **extra}
    )


def test_two_agents_claiming_the_next_entry_get_different_customers(call_list, agents):
    campaign, _customers = call_list(2)
    (ana, ana_user), (budi, budi_user) = agents(2)
    assert claim(ana, campaign).status_code == 302
    assert claim(budi, campaign).status_code == 302
    first, second = held(ana_user, campaign), held(budi_user, campaign)
    assert first and second and first.customer_id != second.customer_id
    claim(ana, campaign)  # asking again keeps the entry held, it takes no other
    assert campaign.recipients.filter(claimed_by=f"staff:{ana_user.pk}").count() == 1
    page = ana.get(f"/dashboard/campaigns/{campaign.pk}/calls/").content.decode()
    assert f"/dashboard/customers/{first.customer_id}/" in page
    assert f"/dashboard/customers/{second.customer_id}/" not in page


def test_only_the_agent_holding_the_call_may_reveal_the_number(call_list, agents):
    campaign, (callee,) = call_list(1)
    (ana, ana_user), (_budi, budi_user) = agents(2)
    assert not can_reveal(ana_user, callee.pk, Field.PHONE)  # nothing claimed yet
    claim(ana, campaign)
    assert can_reveal(ana_user, callee.pk, Field.PHONE)
    assert can_reveal(ana_user, callee.pk, Field.NAME)
    assert not can_reveal(budi_user, callee.pk, Field.PHONE)
    record(ana, campaign, held(ana_user, campaign), "talked")
    assert not can_reveal(ana_user, callee.pk, Field.PHONE)  # the call is done


def test_an_agent_may_not_record_an_entry_another_agent_holds(call_list, agents):
    campaign, _customers = call_list(1)
    (ana, ana_user), (budi, _budi_user) = agents(2)
    claim(ana, campaign)
    row = held(ana_user, campaign)
    response = record(budi, campaign, row, "not_interested")
    assert response.status_code == 400
    assert "Claim this entry before recording a call." in response.content.decode()
    row.refresh_from_db()
    assert row.status == "pending" and row.outcome == ""


def test_do_not_call_withdraws_marketing_phone_through_consent_with_the_agent_as_actor(
    call_list, agents
):
    campaign, (callee,) = call_list(1)
    ((ana, ana_user),) = agents(1)
    claim(ana, campaign)
    assert record(ana, campaign, held(ana_user, campaign), "do_not_call").status_code == 302
    assert not has_consent(callee.pk, "marketing_phone")
    assert has_consent(callee.pk, "account")
    event = AuditEvent.objects.filter(
        action=AuditAction.CONSENT_WITHDRAWN, subject_id=callee.pk
    ).get()
    assert event.actor == f"staff:{ana_user.pk}"
    assert event.metadata["source"] == "staff" and event.metadata["channel"] == "phone"
    row = campaign.recipients.get()
    assert (row.status, row.outcome) == ("sent", "do_not_call")


def test_call_back_keeps_the_entry_until_its_time(call_list, agents):
    campaign, _customers = call_list(1)
    (ana, ana_user), (budi, budi_user) = agents(2)
    claim(ana, campaign)
    row = held(ana_user, campaign)
    later = timezone.localtime() + timedelta(hours=2)
    response = record(
        ana, campaign, row, "call_back", call_back_at=later.strftime("%Y-%m-%dT%H:%M")
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "pending" and row.claimed_by == "" and row.call_back_at
    claim(budi, campaign)
    assert held(budi_user, campaign) is None  # not before its time
    campaign.refresh_from_db()
    assert campaign.status == "sending"  # the list is not done while a call back waits
    Recipient.objects.filter(pk=row.pk).update(call_back_at=timezone.now() - timedelta(minutes=1))
    claim(budi, campaign)
    assert held(budi_user, campaign).pk == row.pk


@pytest.mark.parametrize(
    ("when", "message"),
    [("", "Say when to call back."), ("2020-01-01T10:00", "Call back at a time still to come.")],
)
def test_a_call_back_needs_a_time_to_come(call_list, agents, when, message):
    campaign, _customers = call_list(1)
    ((ana, ana_user),) = agents(1)
    claim(ana, campaign)
    response = record(ana, campaign, held(ana_user, campaign), "call_back", call_back_at=when)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert held(ana_user, campaign) is not None  # still hers to record


def test_an_outcome_is_required(call_list, agents):
    campaign, _customers = call_list(1)
    ((ana, ana_user),) = agents(1)
    claim(ana, campaign)
    response = ana.post(f"/dashboard/campaigns/{campaign.pk}/calls/{held(ana_user, campaign).pk}/")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_campaign_finishes_when_nobody_is_left_to_call(call_list, agents):
    campaign, _customers = call_list(2)
    ((ana, ana_user),) = agents(1)
    for outcome in ("no_answer", "not_interested"):
        claim(ana, campaign)
        record(ana, campaign, held(ana_user, campaign), outcome)
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.finished_at
    statuses = sorted(campaign.recipients.values_list("status", "skip_reason", "outcome"))
    assert statuses == [("sent", "", "not_interested"), ("skipped", "no_answer", "no_answer")]
    assert AuditEvent.objects.filter(
        action=AuditAction.CAMPAIGN_FINISHED, object_id=str(campaign.pk)
    ).exists()
    page = ana.get(f"/dashboard/campaigns/{campaign.pk}/calls/").content.decode()
    assert "This call list is finished." in page


def test_the_call_list_closes_at_its_expiry(call_list, agents, settings):
    settings.CAMPAIGNS_CALL_LIST_DAYS = 3
    campaign, _customers = call_list(2)
    ((ana, ana_user),) = agents(1)
    Campaign.objects.filter(pk=campaign.pk).update(started_at=timezone.now() - timedelta(days=4))
    response = claim(ana, campaign)
    assert response.status_code == 302
    assert held(ana_user, campaign) is None
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    assert set(campaign.recipients.values_list("skip_reason", flat=True)) == {"expired"}


def test_the_beat_sweep_closes_expired_call_lists(call_list, settings):
    from campaigns.tasks import resume_stalled_sends

    settings.CAMPAIGNS_CALL_LIST_DAYS = 1
    campaign, _customers = call_list(1)
    Campaign.objects.filter(pk=campaign.pk).update(started_at=timezone.now() - timedelta(days=2))
    resume_stalled_sends()
    campaign.refresh_from_db()
    assert campaign.status == "sent"


def test_a_customer_who_withdrew_is_skipped_at_the_claim(call_list, agents):
    from consent.models import ConsentSource
    from consent.services import set_consent

    campaign, (gone, kept) = call_list(2)
    set_consent(
        customer=gone, purpose="marketing_phone", granted=False,
        source=ConsentSource.PORTAL, actor="customer",
    )  # fmt: skip
    ((ana, ana_user),) = agents(1)
    claim(ana, campaign)
    assert held(ana_user, campaign).customer_id == kept.pk
    record(ana, campaign, held(ana_user, campaign), "talked")
    claim(ana, campaign)
    assert held(ana_user, campaign) is None
    skipped = campaign.recipients.get(customer=gone)
    assert (skipped.status, skipped.skip_reason) == ("skipped", "no_consent")


def test_the_call_list_speaks_bahasa_indonesia(call_list, agents):
    campaign, _customers = call_list(1)
    ((ana, _user),) = agents(1)
    ana.post("/i18n/setlang/", {"language": "id", "next": "/dashboard/"})
    claim(ana, campaign)
    page = ana.get(f"/dashboard/campaigns/{campaign.pk}/calls/").content.decode()
    assert "Catat panggilan" in page and "Tidak dijawab" in page and "Jangan telepon lagi" in page


def test_each_claim_and_outcome_is_audited_with_ids_only_and_shown_to_the_customer(
    call_list, agents, client
):
    campaign, [customer] = call_list(1)
    [(agent, user)] = agents(1)
    claim(agent, campaign)
    row = held(user, campaign)
    record(agent, campaign, row, "no_answer")
    events = AuditEvent.objects.filter(subject_id=customer.pk, object_id=str(row.pk))
    claimed = events.get(action=AuditAction.CALL_CLAIMED)
    noted = events.get(action=AuditAction.CALL_RECORDED)
    assert claimed.actor == noted.actor == f"staff:{user.pk}"
    assert claimed.purpose == noted.purpose == f"call:{row.pk}"
    assert noted.metadata["outcome"] == "no_answer"
    assert noted.metadata["campaign"] == str(campaign.pk)
    assert customer.phone not in str(claimed.metadata) + str(noted.metadata)
    # The customer reads both in their access log, in words.
    from tests.portal.conftest import sign_in

    page = sign_in(client, customer).get("/portal/access-log/").content.decode()
    assert "took your planned call from a call list" in page
    assert "noted how a call with you went" in page
    assert "call.claimed" not in page and "Call Claimed" not in page
