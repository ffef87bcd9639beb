"""docs/staff/roles.md is the one role table, rendered from access.policy: it cannot
drift from the rules, and the rules it states hold."""

from pathlib import Path

from django.core.management import call_command

from access.policy import (
    ACTIONS,
    PURPOSE_FIELDS,
    SENSITIVE_ITEM_ROLES,
    Action,
    Field,
    PurposeKind,
)
from access.role_table import render
from access.roles import Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "staff" / "roles.md"


def test_the_role_document_is_the_policy_rendered(capsys):
    assert DOC.read_text() == render(), (
        "docs/staff/roles.md is out of date: run `manage.py role_table > docs/staff/roles.md`"
    )
    call_command("role_table")
    assert capsys.readouterr().out == DOC.read_text()


def test_the_document_names_every_role_purpose_and_review_flag():
    text = DOC.read_text()
    for role in Role:
        assert f"| {role.label} |" in text
    for kind in PurposeKind:
        assert f"| `{kind.value}` |" in text
    assert "`break_glass`" in text and "`self_made`" in text


def test_a_call_reveals_what_the_call_needs_and_nothing_else():
    assert PURPOSE_FIELDS[PurposeKind.CALL] == {Field.NAME, Field.PHONE}


def test_every_role_that_downloads_exports_may_see_sensitive_items_by_name():
    # An access request's export is the customer's complete copy; whoever downloads it
    # sees the sensitive items anyway, so the masking never hides from them.
    exporters = {role for role in Role if Action.EXPORT in ACTIONS[role]}
    assert exporters <= SENSITIVE_ITEM_ROLES
    assert Role.SUPPORT_AGENT not in SENSITIVE_ITEM_ROLES
    assert Role.MARKETING not in SENSITIVE_ITEM_ROLES
