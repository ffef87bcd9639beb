"""The one permissions module: what each staff role may see and do.

The dashboard, the API and the workers all ask here; no surface repeats these rules.
Allow-lists: fields a role may reveal (masked values are all a role sees otherwise),
actions a role may take, and which fields each kind of purpose reveals. A support agent
may reveal only with a purpose someone other than themselves started: the customer (a
portal ticket, a reply, an inbound call found by the caller lookup) or another staff
member (a privacy officer, a team lead, a call list). Work the agent opened or took on
their own is not a purpose: the agent sees the masked view and may only type a
break-glass reason, which is flagged for review. Which items exist is told by the apps
that own them (privacy requests, service tickets, call lists) through
`register_assignment_provider`, so this module never imports upward.

Special-category data: products in a sensitive category (`sensitive_categories()`, the
setting RECOMMENDATIONS_SENSITIVE_CATEGORIES, which recommendations read here too) are
shown as "Sensitive item" to roles that may not see them (SENSITIVE_ITEM_ROLES), and a
sensitive category is never a filter of a list or a segment. docs/staff/roles.md is
rendered from this module (access.role_table).
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.roles import Role, roles_of, user_of_actor


class Field(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    NOTES = "notes"

    @property
    def label(self) -> str:
        return str(FIELD_LABELS[self])


FIELD_LABELS = {
    Field.NAME: _("Name"),
    Field.EMAIL: _("Email"),
    Field.PHONE: _("Phone"),
    Field.ADDRESS: _("Postal address"),
    Field.NOTES: _("Interaction notes"),
}


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
# Roles whose reveals need an item (ticket, request, call) for the customer that someone
# other than the user started or assigned.
NEEDS_ASSIGNMENT = frozenset({Role.SUPPORT_AGENT})


class PurposeKind(StrEnum):
    """Why a field is revealed: an item (kind:id) or a typed reason."""

    REQUEST = "request"  # a data-subject request the privacy desk assigned
    TICKET = "ticket"  # a service ticket the customer started or someone else assigned
    CALL = "call"  # an entry of a phone campaign's call list
    REASON = "reason"  # a typed break-glass reason, flagged for review

    @property
    def label(self) -> str:
        return str(PURPOSE_LABELS[self])


PURPOSE_LABELS = {
    PurposeKind.REQUEST: _("A data-subject request assigned to you"),
    PurposeKind.TICKET: _(
        "A service ticket the customer started, or that someone else assigned to you"
    ),
    PurposeKind.CALL: _("A call on a phone campaign's call list"),
    PurposeKind.REASON: _("A typed reason (break-glass)"),
}
# Which fields each purpose reveals: what the work needs, nothing more.
PURPOSE_FIELDS: dict[PurposeKind, frozenset[Field]] = {
    PurposeKind.REQUEST: ALL_FIELDS,
    PurposeKind.TICKET: ALL_FIELDS,
    PurposeKind.CALL: frozenset({Field.NAME, Field.PHONE}),
    PurposeKind.REASON: ALL_FIELDS,
}
BREAK_GLASS = PurposeKind.REASON


class Review(StrEnum):
    """Why an audit event is flagged for the privacy officer's access review
    (metadata key "review")."""

    BREAK_GLASS = "break_glass"  # a reveal whose purpose is a typed reason
    SELF_MADE = "self_made"  # reached only through work the user opened or took


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

    kind: str  # a PurposeKind value: "request", "ticket", "call"
    ref: str
    label: str
    # True when the user opened or took this work themselves (nobody else started or
    # assigned it): then it is no purpose, only a place for a flagged break-glass reason.
    self_made: bool = False

    @property
    def purpose(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def fields(self) -> frozenset[Field]:
        """What this item lets its user reveal (none when self-made)."""
        return frozenset() if self.self_made else PURPOSE_FIELDS[PurposeKind(self.kind)]


_providers: dict[str, Callable[[int, uuid.UUID], list[AssignedItem]]] = {}


def register_assignment_provider(
    name: str, provider: Callable[[int, uuid.UUID], list[AssignedItem]]
) -> None:
    """provider(user_id, customer_id) -> the open items of the customer assigned to the user."""
    _providers[name] = provider


def assigned_items(user, customer_id: uuid.UUID) -> list[AssignedItem]:
    """Every open item of the customer the user works on, self-made ones included."""
    if not roles_of(user):
        return []
    return [item for provider in _providers.values() for item in provider(user.pk, customer_id)]


def purpose_items(user, customer_id: uuid.UUID) -> list[AssignedItem]:
    """The items that count as a purpose to reveal: not self-made."""
    return [item for item in assigned_items(user, customer_id) if not item.self_made]


def reach_review(user, customer_id: uuid.UUID) -> Review | None:
    """SELF_MADE when a user whose reveals need an item reached this customer only
    through work they opened or took themselves; None otherwise."""
    if not needs_assignment(user):
        return None
    items = assigned_items(user, customer_id)
    if items and all(item.self_made for item in items):
        return Review.SELF_MADE
    return None


def purpose_fields(user, customer_id: uuid.UUID, purpose: str) -> frozenset[Field]:
    """The fields `purpose` ("kind:ref") lets the user reveal for this customer: those of
    a matching item that counts, or every field for a typed reason."""
    kind, _sep, ref = purpose.partition(":")
    if kind == BREAK_GLASS:
        return PURPOSE_FIELDS[BREAK_GLASS]
    for item in purpose_items(user, customer_id):
        if item.purpose == f"{kind}:{ref}":
            return item.fields
    return frozenset()


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
    if needs_assignment(user) and not assigned_items(user, customer_id):
        # Self-made work still allows a typed break-glass reason (flagged); nothing
        # at all allows nothing.
        return Decision(False, Denial.NOT_ASSIGNED)
    return ALLOW


def needs_assignment(user) -> bool:
    """True when the user's reveals must name an item assigned to them."""
    roles = _reveal_roles(user)
    return bool(roles) and roles <= NEEDS_ASSIGNMENT


# Special-category data (GDPR Art. 9): products in these categories reveal health, sex
# life and the like. Roles that may see them by name; every other role sees "Sensitive
# item" with no name, sku or category.
SENSITIVE_ITEM_ROLES = frozenset({Role.PRIVACY_OFFICER, Role.ADMINISTRATOR})
DEFAULT_SENSITIVE_CATEGORIES = ("health", "pharmacy", "adult")


def sensitive_categories() -> list[str]:
    """RECOMMENDATIONS_SENSITIVE_CATEGORIES: the one list of sensitive categories."""
    configured = getattr(
        settings, "RECOMMENDATIONS_SENSITIVE_CATEGORIES", DEFAULT_SENSITIVE_CATEGORIES
    )
    return sorted(set(configured))


def is_sensitive_category(category: str | None) -> bool:
    return bool(category) and category in set(sensitive_categories())


def may_see_sensitive_items(user) -> bool:
    return bool(roles_of(user) & SENSITIVE_ITEM_ROLES)


def filterable_categories(categories: Iterable[str]) -> list[str]:
    """The categories a customer list or a segment may filter on: never a sensitive one."""
    sensitive = set(sensitive_categories())
    return [category for category in categories if category not in sensitive]


def category_filter_errors(categories: Iterable[str]) -> list[str]:
    """The one rule for lists and segments: messages when any category is sensitive."""
    sensitive = sorted(set(categories) & set(sensitive_categories()))
    if not sensitive:
        return []
    return [
        gettext("Sensitive categories are never a filter or a segment criterion: %(names)s.")
        % {"names": ", ".join(sensitive)}
    ]
