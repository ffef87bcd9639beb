import pytest
from django.core.exceptions import ValidationError

from campaigns import segments
from campaigns.models import Segment
from campaigns.services import save_segment
from consent.services import set_consent
from customers.restriction import restrict_processing
from tests.campaigns.conftest import MARKETING_EMAIL, NO_MARKETING

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_segment_counts_customers_by_category_recency_and_frequency(make_customer, buy):
    regular, lapsed, other = (make_customer(consents=MARKETING_EMAIL) for _ in range(3))
    buy(regular, "BK-1", days_ago=3)
    buy(regular, "BK-2", days_ago=10)
    buy(lapsed, "BK-1", days_ago=200)
    buy(other, "TOY-1", category="toys", days_ago=3)

    books = Segment(name="s", categories=["books"])
    assert segments.audience(books, "email").matched == 2
    recent_books = Segment(name="s", categories=["books"], bought_within_days=30)
    assert segments.audience(recent_books, "email").matched == 1
    lapsed_only = Segment(name="s", not_bought_within_days=30)
    assert set(segments.matching(lapsed_only)) == {lapsed}
    frequent = Segment(name="s", min_orders=2)
    assert list(segments.matching(frequent)) == [regular]


def test_spend_bands_split_customers_by_their_total_spend(make_customer, buy, settings):
    settings.CAMPAIGNS_SPEND_BANDS = [50, 200]
    small, middle, big = (make_customer() for _ in range(3))
    buy(small, "A-1", price="20.00")
    buy(middle, "A-2", price="60.00", qty=2)
    buy(big, "A-3", price="150.00", qty=2)
    never = make_customer()

    def band(name):
        return set(segments.matching(Segment(name="s", spend_band=name)))

    assert band("low") == {small, never}
    assert band("medium") == {middle}
    assert band("high") == {big}


def test_the_count_leaves_out_restricted_and_non_consenting_customers_by_reason(make_customer):
    consenting = [make_customer(consents=MARKETING_EMAIL) for _ in range(3)]
    make_customer(consents=NO_MARKETING)
    withdrew = make_customer(consents=MARKETING_EMAIL)
    set_consent(
        customer=withdrew, purpose="marketing_email", granted=False, source="api", actor="t"
    )
    restrict_processing(customer=consenting[0], actor="staff:1")

    counted = segments.audience(Segment(name="everyone"), "email", with_ids=True)

    assert counted.matched == 5
    assert counted.eligible == 2
    assert counted.excluded["restricted"] == 1
    assert counted.excluded["no_consent"] == 2
    assert set(counted.customer_ids) == {consenting[1].pk, consenting[2].pk}


def test_the_post_channel_needs_its_own_consent_and_an_address(make_customer):
    both = make_customer(consents={**NO_MARKETING, "marketing_post": True})
    make_customer(consents={**NO_MARKETING, "marketing_post": True}, postal_address=None)
    make_customer(consents=MARKETING_EMAIL)

    counted = segments.audience(Segment(name="s"), "post", with_ids=True)

    assert counted.customer_ids == (both.pk,)
    assert counted.excluded == {"restricted": 0, "no_consent": 1, "no_contact": 1, "erased": 0}


def test_a_segment_on_channel_consent_still_excludes_restricted_customers(make_customer):
    customer = make_customer(consents=MARKETING_EMAIL)
    restrict_processing(customer=customer, actor="staff:1")
    segment = Segment(name="s", consent_channel="email")
    assert segments.audience(segment, "email").eligible == 0


def test_a_sensitive_category_is_never_a_criterion(make_customer, buy):
    with pytest.raises(ValidationError) as refused:
        save_segment(segment=Segment(name="s", categories=["books", "health"]), actor="staff:1")
    assert "categories" in refused.value.message_dict
    assert not Segment.objects.exists()
    buy(make_customer(), "PILL-1", category="health")
    buy(make_customer(), "BK-1", category="books")
    assert segments.selectable_categories() == ["books"]


def test_saving_a_segment_writes_an_audit_event_without_personal_data(make_customer):
    from audit.models import AuditEvent

    segment = save_segment(
        segment=Segment(name="Book lovers", categories=["books"]), actor="staff:7"
    )
    event = AuditEvent.objects.get(action="segment.saved")
    assert event.object_id == str(segment.pk) and event.subject_id is None
    assert "Book lovers" not in str(event.metadata)
