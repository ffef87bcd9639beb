import pytest

from campaigns.models import Campaign, Segment

MARKETING_EMAIL = {"account": True, "personalization": True, "marketing_email": True}
NO_MARKETING = {"account": True, "personalization": True}


@pytest.fixture
def email_campaign(db):
    def make(segment=None, **fields):
        segment = segment or Segment.objects.create(name="Everyone", created_by="staff:1")
        defaults = {
            "name": "Spring offers",
            "channel": "email",
            "subject": "New in spring",
            "body": "Hello.\n\nSpring is here.",
            "holdout_percent": 0,
            "created_by": "staff:1",
        }
        return Campaign.objects.create(segment=segment, **{**defaults, **fields})

    return make
