"""The staff role table (docs/staff/roles.md), rendered from access.policy so the
document cannot drift from the rules: `manage.py role_table > docs/staff/roles.md`
rewrites it, and a test fails when the file and the policy disagree. Reads only."""

from django.utils import translation

from access.policy import (
    ACTIONS,
    BREAK_GLASS,
    DEFAULT_SENSITIVE_CATEGORIES,
    FIELD_LABELS,
    FIELDS,
    NEEDS_ASSIGNMENT,
    PURPOSE_FIELDS,
    SENSITIVE_ITEM_ROLES,
    Action,
    Field,
    PurposeKind,
    Review,
)
from access.roles import PRECEDENCE, Role

# What each action lets a role do, in the words of the pages.
ACTION_TEXT = {
    Action.VIEW_CUSTOMERS: "filter the customer list (ids and counts, no personal values)",
    Action.VIEW_PROFILE: "find one customer and open their masked 360 view",
    Action.REVEAL: "reveal profile fields, one page at a time, with a purpose",
    Action.EXPORT: "download a customer's export for an access request",
    Action.ERASE: "erase a customer",
    Action.PRIVACY_DESK: "work the privacy desk (requests, restrictions, carriers)",
    Action.METRICS: "see metrics and charts (counts only)",
    Action.LEADS: (
        "work leads (name and company in the lists and the pipeline; email and phone on "
        "a lead's own page, each view logged), capture forms and deals"
    ),
    Action.TICKETS: "work the service desk (caller lookup, tickets)",
    Action.CALL_LIST: "work a phone campaign's call list",
    Action.CAMPAIGN: (
        "build segments and campaigns (counts and ids; a preview shows one recipient's "
        "message with the address masked), test, schedule and send them"
    ),
}
PURPOSE_TEXT = {
    PurposeKind.REQUEST: "a data-subject request the privacy desk assigned",
    PurposeKind.TICKET: (
        "a service ticket the customer started (portal, a reply, or opened within an "
        "inbound call found by the caller lookup), or that someone else assigned"
    ),
    PurposeKind.CALL: "a pending entry of a running phone campaign's call list",
    PurposeKind.REASON: "a typed reason (break-glass)",
}
REVIEW_TEXT = {
    Review.BREAK_GLASS: "every reveal whose purpose is a typed reason",
    Review.SELF_MADE: (
        "views of a customer reached only through a ticket the agent opened or took themselves"
    ),
}


def _fields(fields) -> str:
    return ", ".join(str(FIELD_LABELS[field]).lower() for field in Field if field in fields)


def _purposes(role: Role) -> str:
    if Action.REVEAL not in ACTIONS[role]:
        return "none"
    if role in NEEDS_ASSIGNMENT:
        kinds = [kind for kind in PurposeKind if kind != BREAK_GLASS]
        items = "; ".join(f"`{kind.value}`" for kind in kinds)
        return (
            f"{items}; or `{BREAK_GLASS.value}` (flagged) when they have any open work "
            "for the customer"
        )
    return "any typed reason, or an item assigned to them"


def _review(role: Role) -> str:
    if Action.REVEAL not in ACTIONS[role]:
        return "nothing (reveals nothing)"
    flags = [f"`{Review.BREAK_GLASS.value}`: typed reasons"]
    if role in NEEDS_ASSIGNMENT:
        flags.append(f"`{Review.SELF_MADE.value}`: views through self-made work")
    return "; ".join(flags)


def render() -> str:
    """docs/staff/roles.md, in English."""
    with translation.override("en"):
        return _render()


def _render() -> str:
    lines = [
        "# Staff roles: who may see, do and reveal what",
        "",
        "<!-- Generated from access/policy.py by `manage.py role_table`; do not edit. -->",
        "",
        "Every staff page shows customers masked. A role may reveal a field only if the",
        "table allows it, one page at a time, with a purpose that is recorded in the audit",
        "log (`customer.revealed`, metadata `fields`, `role` and, when flagged, `review`).",
        "",
        "| Role | May do | May reveal | Purposes | Sensitive items | Flagged for review |",
        "|---|---|---|---|---|---|",
    ]
    for role in PRECEDENCE:
        actions = "; ".join(ACTION_TEXT[action] for action in Action if action in ACTIONS[role])
        reveal = _fields(FIELDS[role]) if Action.REVEAL in ACTIONS[role] else "nothing"
        sensitive = "by name" if role in SENSITIVE_ITEM_ROLES else 'as "Sensitive item"'
        lines.append(
            f"| {role.label} | {actions} | {reveal} | {_purposes(role)} | {sensitive} "
            f"| {_review(role)} |"
        )
    lines += [
        "",
        "## Which purpose reveals which fields",
        "",
        "| Purpose | What it is | Reveals |",
        "|---|---|---|",
    ]
    for kind in PurposeKind:
        lines.append(f"| `{kind.value}` | {PURPOSE_TEXT[kind]} | {_fields(PURPOSE_FIELDS[kind])} |")
    lines += [
        "",
        "A role reveals the fields in both its own row and the purpose's row.",
        "",
        "## Rules",
        "",
        "- A support agent's purpose counts only if the customer started the contact or",
        "  someone else assigned the work. A ticket the agent opened for any customer, or an",
        "  unassigned ticket someone else opened and the agent took, is self-made: the agent",
        "  sees the masked view and may only type a break-glass reason, which is flagged.",
        "  An agent with no work at all for the customer reveals nothing.",
        "- Products in a sensitive category ("
        + ", ".join(f"`{c}`" for c in DEFAULT_SENSITIVE_CATEGORIES)
        + " by default; `RECOMMENDATIONS_SENSITIVE_CATEGORIES`)",
        '  show as "Sensitive item", with no name, sku or category, to every role above',
        "  that does not see them by name: 360 view, call list, recommendations.",
        "- A sensitive category is never a filter of the customer list nor a segment",
        "  criterion.",
        "",
        "## Flagged for review",
        "",
        "| `review` | Put on |",
        "|---|---|",
    ]
    for review in Review:
        lines.append(f"| `{review.value}` | {REVIEW_TEXT[review]} |")
    lines += [
        "",
        'The privacy officers\' access review (privacy desk, "Access review") also flags',
        "anyone who revealed more than `ACCESS_REVIEW_DAILY_REVEALS` (50 by default) times",
        "in one local day; each flagged item can be marked reviewed with a note (audited).",
    ]
    return "\n".join(lines) + "\n"
