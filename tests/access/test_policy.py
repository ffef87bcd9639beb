"""The permission rules, role by role: every field and every action, and the rule that
a support agent reveals only for a customer with an item assigned to them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from access.policy import Action, Denial, Field, can_reveal, may, may_actor, may_see
from access.roles import Role, roles_of, staff_role_label
from privacy.models import RequestChannel, RequestKind
from privacy.services import assign_request, open_request, reject_request

pytestmark = pytest.mark.django_db(databases="__all__")

SEE = {
    Role.SUPPORT_AGENT: set(Field),
    Role.MARKETING: set(),
    Role.PRIVACY_OFFICER: set(Field),
    Role.ADMINISTRATOR: set(Field),
}
DO = {
    Role.SUPPORT_AGENT: {
        Action.VIEW_CUSTOMERS,
        Action.VIEW_PROFILE,
        Action.REVEAL,
        Action.METRICS,
        Action.CALL_LIST,
        Action.TICKETS,
    },
    Role.MARKETING: {Action.VIEW_CUSTOMERS, Action.CAMPAIGN, Action.METRICS},
    Role.PRIVACY_OFFICER: {
        Action.VIEW_CUSTOMERS,
        Action.VIEW_PROFILE,
        Action.REVEAL,
        Action.EXPORT,
        Action.ERASE,
        Action.PRIVACY_DESK,
        Action.METRICS,
    },
    Role.ADMINISTRATOR: set(Action),
}


def _assign(customer, user, kind=RequestKind.ACCESS):
    request = open_request(
        customer=customer, kind=kind, channel=RequestChannel.EMAIL, actor="system"
    )
    return assign_request(request=request, assignee=user, actor="system")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("field", list(Field))
def test_each_role_sees_exactly_the_fields_on_its_allow_list(make_staff, role, field):
    assert may_see(make_staff(role), field) is (field in SEE[role])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_take_exactly_the_actions_on_its_allow_list(make_staff, role, action):
    assert may(make_staff(role), action) is (action in DO[role])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("field", list(Field))
def test_reveal_without_an_assigned_item_follows_the_role(make_staff, customer, role, field):
    decision = can_reveal(make_staff(role), customer.pk, field)
    if role is Role.MARKETING:
        assert decision.denial is Denial.ACTION
    elif role is Role.SUPPORT_AGENT:
        assert decision.denial is Denial.NOT_ASSIGNED
    else:
        assert decision.allowed


@pytest.mark.parametrize("field", list(Field))
def test_an_agent_with_a_request_assigned_for_the_customer_may_reveal(make_staff, customer, field):
    agent = make_staff(Role.SUPPORT_AGENT)
    _assign(customer, agent)
    assert can_reveal(agent, customer.pk, field).allowed


def test_an_agent_without_an_assigned_ticket_cannot_reveal(make_staff, make_customer):
    agent, colleague = make_staff(Role.SUPPORT_AGENT), make_staff(Role.SUPPORT_AGENT)
    mine, theirs = make_customer(), make_customer()
    _assign(mine, agent)
    _assign(theirs, colleague)
    assert can_reveal(agent, theirs.pk, Field.EMAIL).denial is Denial.NOT_ASSIGNED
    assert can_reveal(agent, mine.pk, Field.EMAIL).allowed


def test_a_closed_request_no_longer_lets_the_agent_reveal(make_staff, customer):
    agent = make_staff(Role.SUPPORT_AGENT)
    request = _assign(customer, agent)
    reject_request(request=request, reason="withdrawn", actor="system")
    assert can_reveal(agent, customer.pk, Field.PHONE).denial is Denial.NOT_ASSIGNED


def test_users_without_a_role_and_inactive_users_may_do_nothing(
    make_staff, django_user_model, customer
):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password-1")
    former = make_staff(Role.PRIVACY_OFFICER)
    former.is_active = False
    former.save()
    for user in (nobody, former, AnonymousUser()):
        assert not roles_of(user)
        assert not any(may(user, action) for action in Action)
        assert can_reveal(user, customer.pk, Field.EMAIL).denial is Denial.NO_ROLE


def test_superusers_act_as_administrators(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-long-password-1")
    assert roles_of(root) == {Role.ADMINISTRATOR}
    assert all(may(root, action) for action in Action)


def test_several_roles_add_up(make_staff, django_user_model):
    from django.contrib.auth.models import Group

    user = make_staff(Role.MARKETING)
    user.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    user = django_user_model.objects.get(pk=user.pk)
    assert may(user, Action.CAMPAIGN) and may(user, Action.PRIVACY_DESK)


def test_workers_ask_the_same_rules_by_actor(make_staff):
    marketer = make_staff(Role.MARKETING)
    assert may_actor(f"staff:{marketer.pk}", Action.CAMPAIGN)
    assert not may_actor(f"staff:{marketer.pk}", Action.EXPORT)
    assert not may_actor("system", Action.CAMPAIGN)


def test_customers_are_told_a_staff_actors_role_never_their_name(make_staff):
    officer = make_staff(Role.PRIVACY_OFFICER, username="jane.doe")
    label = staff_role_label(f"staff:{officer.pk}")
    assert label == "Privacy officer"
    assert "jane" not in label
    assert staff_role_label("staff:999999") == "Staff"
    assert staff_role_label("api-key:abc") is None
    assert staff_role_label("system") is None


def test_the_portal_access_log_names_staff_by_role(make_staff):
    from audit.actors import describe_actor

    agent = make_staff(Role.SUPPORT_AGENT, username="sam.smith")
    assert describe_actor(f"staff:{agent.pk}") == "Support agent"
    assert describe_actor("staff:999999") == "Staff member"
