import pytest

from leads.models import CaptureMethod
from leads.services import capture_lead


@pytest.fixture
def make_lead():
    counter = iter(range(1, 100_000))

    def make(purposes=("marketing_post",), method=CaptureMethod.IMPORT, source="expo", **contact):
        contact.setdefault("email", f"lead{next(counter)}@example.org")
        contact.setdefault("full_name", "Ana Lead")
        return capture_lead(
            contact=contact,
            purposes=list(purposes),
            source=source,
            method=method,
            channel=source,
            actor="staff:1",
        ).lead

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits_and_language():
    """Each test starts with no form submissions counted, and leaves the thread in
    English (a page in Bahasa Indonesia activates it for the thread)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    yield
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
