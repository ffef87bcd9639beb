"""Issue 26 item 1: one vocabulary. Every code of every registry that a customer meets
(purposes, data categories and their tables, lawful bases, consent sources, request
kinds and statuses, ticket statuses, the actions of the access log) has one name and a
one-line description, in English and in Bahasa Indonesia, defined next to its owner."""

import re

import pytest
from django.utils import translation

from audit.models import AuditAction
from audit.vocabulary import ACTIONS
from consent.models import ConsentSource, LawfulBasis, Purpose
from consent.vocabulary import CONSENT_SOURCES, LAWFUL_BASES, PURPOSES
from disposal.models import ErasureStatus
from disposal.vocabulary import ERASURE_STATUSES
from privacy.models import RequestKind, RequestStatus
from privacy.vocabulary import REQUEST_KINDS, REQUEST_STATUSES
from service.models import TicketStatus
from service.vocabulary import TICKET_STATUSES
from vault import registry
from vault.categories import CATEGORIES, RECORDS, records_sentence

pytestmark = pytest.mark.django_db


def registries():
    """(what, terms, the codes that exist)."""
    return [
        ("purposes", PURPOSES, list(Purpose.objects.values_list("code", flat=True))),
        ("data categories", CATEGORIES, {entry.category for entry in registry.entries()}),
        ("lawful bases", LAWFUL_BASES, LawfulBasis.values),
        ("consent sources", CONSENT_SOURCES, ConsentSource.values),
        ("request kinds", REQUEST_KINDS, RequestKind.values),
        ("request statuses", REQUEST_STATUSES, RequestStatus.values),
        ("ticket statuses", TICKET_STATUSES, TicketStatus.values),
        ("erasure statuses", ERASURE_STATUSES, ErasureStatus.values),
    ]


def test_every_code_of_every_registry_has_a_name_and_a_description_in_both_languages():
    missing, untranslated = [], []
    for what, terms, codes in registries():
        assert codes, what
        for code in codes:
            term = terms.get(code)
            if term is None:
                missing.append((what, code))
                continue
            with translation.override("en-gb"):
                english = (str(term.name), str(term.description))
            with translation.override("id"):
                indonesian = (str(term.name), str(term.description))
            assert all(english) and code not in english, (what, code)
            if any(a == b for a, b in zip(english, indonesian, strict=True)):
                untranslated.append((what, code, english))
    assert not missing, missing
    assert not untranslated, untranslated


def test_no_name_is_used_twice_within_a_registry():
    for what, terms, _codes in registries():
        with translation.override("en-gb"):
            names = [str(term.name) for term in terms.values()]
        assert len(names) == len(set(names)), what


def test_every_registered_table_is_counted_in_a_sentence_in_both_languages():
    for entry in registry.entries():
        assert entry.label in RECORDS, entry.label
        with translation.override("en-gb"):
            english = records_sentence(entry.label, 2)
        with translation.override("id"):
            indonesian = records_sentence(entry.label, 2)
        assert english.startswith("2 ") and indonesian.startswith("2 ")
        assert english != indonesian and not re.search(r"[a-z]{2,}\.[a-z]{2,}", english)


def test_the_customer_facing_actions_are_actions_and_named_in_both_languages():
    for code, term in ACTIONS.items():
        assert code in AuditAction.values
        with translation.override("id"):
            assert str(term.name) != AuditAction(code).label
            with translation.override("en-gb"):
                english = str(term.name)
            assert str(term.name) != english and str(term.description), code


# Actions no customer's access log shows: about staff, carriers, campaigns as a whole,
# leads (their own subjects), products, or the system. A new action is either named for
# customers in audit.vocabulary or added here, deliberately.
STAFF_ONLY = {
    "ACCESS_REVIEWED", "CAMPAIGN_DELETED", "CAMPAIGN_FINISHED", "CAMPAIGN_SAVED",
    "CAMPAIGN_SCHEDULED", "CAMPAIGN_STARTED", "CAMPAIGN_TEST_SENT", "CAMPAIGN_UNSCHEDULED",
    "CARRIER_DESTROYED", "CARRIER_LOST", "CARRIER_REGISTERED", "CARRIER_RETIRED",
    "CARRIER_SANITIZATION_VERIFIED", "CARRIER_SANITIZED", "CARRIER_UNREADABLE",
    "CUSTOMERS_IMPORTED", "DEAL_SAVED", "DEMO_SEEDED", "ERASURES_REPLAYED",
    "ERASURE_COMPLETED", "ERASURE_FAILED", "INCIDENT_ASSESSED", "INCIDENT_CLOSED",
    "INCIDENT_OPENED", "INCIDENT_REPORTED", "LEADS_IMPORTED", "LEAD_CAPTURED",
    "LEAD_CONFIRMATION_SENT", "LEAD_CONSENT_CONFIRMED", "LEAD_CONTACTED", "LEAD_CONVERTED",
    "LEAD_EXPORTED", "LEAD_FORM_SAVED", "LEAD_NOTE_ADDED", "LEAD_PLANNED",
    "LEAD_STATUS_CHANGED", "LEAD_UPDATED", "LEAD_VIEWED", "NOTICE_PUBLISHED",
    "PRODUCT_SAVED", "RECOMMENDATIONS_BUILT", "RETENTION_APPLIED", "SEGMENT_SAVED",
    "WEBHOOK_REDELIVERED",
}  # fmt: skip


def test_every_action_a_customer_can_meet_is_named_for_them():
    unnamed = {action.name for action in AuditAction if action not in ACTIONS}
    assert unnamed == STAFF_ONLY, (
        f"name these in audit/vocabulary.py: {sorted(unnamed - STAFF_ONLY)}; "
        f"named, so not staff-only: {sorted(STAFF_ONLY - unnamed)}"
    )
