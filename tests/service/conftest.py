import pytest

from access.roles import Role
from service import services


@pytest.fixture
def agent(make_staff):
    return make_staff(Role.SUPPORT_AGENT)


@pytest.fixture
def make_ticket(customer, agent):
    """make_ticket(**overrides): a ticket opened by an agent through the service."""

    def make(**overrides):
        values = {
            "customer": customer,
            "channel": "phone",
            "subject": "Parcel for Ana Lima never arrived",
            "topic": "delivery",
            "actor": f"staff:{agent.pk}",
            "assignee": agent,
        }
        values.update(overrides)
        return services.open_ticket(**values)

    return make
