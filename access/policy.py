"""The one permissions module: what each staff role may see and do.

The dashboard, the API and the workers all ask here; no surface repeats these rules.
Two allow-lists: fields a role may reveal (masked values are all a role sees otherwise)
and actions a role may take. A support agent may reveal only for a customer with a
ticket or request assigned to them; which items exist is told by the apps that own them
(privacy requests, service tickets) through `register_assignment_provider`, so
this module never imports upward.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from access.roles import Role, roles_of, user_of_actor


class Field(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    NOTES = "notes"


class Action(StrEnum):
    VIEW_CUSTOMERS = "view_customers"  # the filtered list (no personal values)
    VIEW_PROFILE = "view_profile"  # search for one customer and their masked 360 view
    REVEAL = "reveal"
    EXPORT = "export"
    ERASE = "erase"
    CAMPAIGN = "campaign"  # segments and campaigns (counts and ids, no personal values)
    CALL_LIST = "call_list"  # work through a phone campaign's call list
    PRIVACY_DESK = "privacy_desk"
    METRICS = "metrics"
    LEADS = "leads"  # capture forms, leads (their contact details, each view audited), deals
    TICKETS = "tickets"  # the service desk: look customers up, open and work tickets


ALL_FIELDS = frozenset(Field)
ALL_ACTIONS = frozenset(Action)

FIELDS: dict[Role, frozenset[Field]] = {
    Role.SUPPORT_AGENT: ALL_FIELDS,
    Role.MARKETING: frozenset(),
    Role.PRIVACY_OFFICER: ALL_FIELDS,
    Role.ADMINISTRATOR: ALL_FIELDS,
}
ACTIONS: dict[Role, frozenset[Action]] = {
    Role.SUPPORT_AGENT: frozenset(
        {
            Action.VIEW_CUSTOMERS,
            Action.VIEW_PROFILE,
            Action.REVEAL,
            Action.METRICS,
            Action.CALL_LIST,
            Action.TICKETS,
        }
    ),
    Role.MARKETING: frozenset(
        {Action.VIEW_CUSTOMERS, Action.CAMPAIGN, Action.METRICS, Action.LEADS}
    ),
    Role.PRIVACY_OFFICER: frozenset(
        {
            Action.VIEW_CUSTOMERS,
            Action.VIEW_PROFILE,
            Action.REVEAL,
            Action.EXPORT,
            Action.ERASE,
            Action.PRIVACY_DESK,
            Action.METRICS,
            Action.LEADS,
        }
    ),
    Role.ADMINISTRATOR: ALL_ACTIONS,
}
# Roles whose reveals need an item (ticket, request) assigned to the user for the customer.
NEEDS_ASSIGNMENT = frozenset({Role.SUPPORT_AGENT})


class Denial(StrEnum):
    NO_ROLE = "no_role"
    FIELD = "field_not_allowed"
    ACTION = "action_not_allowed"
    NOT_ASSIGNED = "not_assigned"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    denial: Denial | None = None

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


@dataclass(frozen=True)
class AssignedItem:
    """An open item assigned to a user for a customer: a reason to reveal. `label`
    holds no personal data (kind, short id, due date)."""

    kind: str  # "request", "ticket"
    ref: str
    label: str

    @property
    def purpose(self) -> str:
        return f"{self.kind}:{self.ref}"


_providers: dict[str, Callable[[int, uuid.UUID], list[AssignedItem]]] = {}


def register_assignment_provider(
    name: str, provider: Callable[[int, uuid.UUID], list[AssignedItem]]
) -> None:
    """provider(user_id, customer_id) -> the open items of the customer assigned to the user."""
    _providers[name] = provider


def assigned_items(user, customer_id: uuid.UUID) -> list[AssignedItem]:
    if not roles_of(user):
        return []
    return [item for provider in _providers.values() for item in provider(user.pk, customer_id)]


# Roles that must prove a second factor (TOTP) after their password: they can reveal,
# export and erase anyone, and administrators reach the admin site.
SECOND_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.PRIVACY_OFFICER})


def needs_second_factor(user) -> bool:
    """Administrators, privacy officers and anyone who may use the admin site (staff)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(roles_of(user) & SECOND_FACTOR_ROLES) or bool(user.is_staff)


def may(user, action: Action) -> bool:
    return any(Action(action) in ACTIONS[role] for role in roles_of(user))


def may_see(user, field: Field) -> bool:
    """May the user see this field unmasked at all (still only through a reveal)?"""
    return may(user, Action.REVEAL) and any(Field(field) in FIELDS[role] for role in roles_of(user))


def may_actor(actor: str, action: Action) -> bool:
    """For workers, which carry an actor "staff:<id>" instead of a request's user."""
    return may(user_of_actor(actor), action)


def _reveal_roles(user) -> set[Role]:
    return {role for role in roles_of(user) if Action.REVEAL in ACTIONS[role]}


def can_reveal(user, customer_id: uuid.UUID, field: Field) -> Decision:
    """May the user reveal this field of this customer now?"""
    roles = roles_of(user)
    if not roles:
        return Decision(False, Denial.NO_ROLE)
    if not may(user, Action.REVEAL):
        return Decision(False, Denial.ACTION)
    if not may_see(user, field):
        return Decision(False, Denial.FIELD)
    if _reveal_roles(user) <= NEEDS_ASSIGNMENT and not assigned_items(user, customer_id):
        return Decision(False, Denial.NOT_ASSIGNED)
    return ALLOW


def needs_assignment(user) -> bool:
    """True when the user's reveals must name an item assigned to them."""
    roles = _reveal_roles(user)
    return bool(roles) and roles <= NEEDS_ASSIGNMENT
