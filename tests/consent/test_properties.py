"""Property test (hypothesis): whatever sequence of grants and withdrawals happens, the
current consent state of every purpose is the last ledger event for it."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.evidence import Confirmation
from consent.models import ConsentEvent, ConsentSource, ConsentState
from consent.selectors import current_consents, has_consent
from consent.services import required_purpose, set_consent

pytestmark = pytest.mark.django_db(databases="__all__")

# Withdrawing `account` starts an erasure on commit; here nothing commits (the test's
# transaction rolls back), so every purpose can be exercised as a plain ledger change.
PURPOSES = [
    "account",
    "personalization",
    "sensitive_personalization",
    "marketing_email",
    "marketing_post",
    "marketing_phone",
    "analytics",
]
CONFIRMED = Confirmation(datetime(2026, 11, 20, tzinfo=UTC), "email_link")
changes = st.lists(
    st.tuples(st.sampled_from(PURPOSES), st.booleans(), st.sampled_from(ConsentSource.values)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=changes)
def test_the_consent_state_always_equals_the_last_ledger_event(make_customer, changes):
    customer = make_customer()
    expected = {}
    for purpose, granted, source in changes:
        needed = required_purpose(purpose)
        if granted and needed and not has_consent(customer.pk, needed):
            # A dependent purpose is refused while what it needs is not granted.
            with pytest.raises(ValidationError):
                set_consent(
                    customer=customer,
                    purpose=purpose,
                    granted=granted,
                    source=source,
                    actor="t",
                    confirmation=CONFIRMED,
                )
            continue
        # A double opt-in grant reaches the ledger with its confirmation (tests/consent/
        # test_double_opt_in.py); here every grant is a confirmed one.
        set_consent(
            customer=customer,
            purpose=purpose,
            granted=granted,
            source=source,
            actor="t",
            confirmation=CONFIRMED,
        )
        expected[purpose] = granted

    for state in ConsentState.objects.filter(customer=customer):
        last = ConsentEvent.objects.filter(customer=customer, purpose=state.purpose).latest("id")
        assert (state.granted, state.event_id, state.notice_id) == (
            last.granted,
            last.pk,
            last.notice_id,
        )
    current = current_consents(customer.pk)
    for purpose, granted in expected.items():
        assert current[purpose].granted is granted
    # Purposes the customer was never asked about are not granted, unless the account's
    # first consents (account, personalization) granted them.
    for purpose in set(PURPOSES) - set(expected) - {"account", "personalization"}:
        assert current[purpose].granted is False
