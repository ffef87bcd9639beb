"""What we hold about a customer, grouped by what it means to them (issue 26 item 2):
the sections of the "My data" page and of the printable summary, built once here so the
two say the same. Each section names why it is held (vault/categories.py) and how long
(disposal.selectors.keeping_by_category); technical records are counted in sentences,
never dumped as tables. Reads only; the JSON export (disposal/exports.py) is unchanged."""

import uuid
from dataclasses import dataclass, field

from consent.selectors import choices_of, consent_history
from customers.selectors import interactions_of, purchases_of
from disposal.selectors import disclosures_of, keeping_by_category
from privacy.selectors import requests_of
from service.selectors import tickets_of
from vault import registry
from vault.categories import category_name, records_sentence

# Records kept to run the service safely: one sentence and a count each, in this order.
SAFETY_TABLES = [
    "portal.signincode",
    "portal.sessioncutoff",
    "customers.emailchange",
    "portal.emailundo",
    "consent.consentconfirmation",
    "leads.leadconfirmation",
    "access.revealreason",
    "access.accessreview",
    "recommendations.contributor",
    "api.idempotentreply",
    "changes.change",
    "audit.auditevent",
]
# From before the customer had an account.
FIRST_CONTACT_TABLES = ["leads.lead", "leads.leadconsent", "leads.deal"]


def record_counts(subject_id: uuid.UUID) -> dict[str, int]:
    """{table label: rows about the subject} for every registered table."""
    return {entry.label: entry.rows_of(subject_id).count() for entry in registry.entries()}


@dataclass
class Holdings:
    customer: object
    keeping: dict
    counts: dict[str, int]
    purchases: object  # a queryset, or one page of it
    choices: list
    history: list
    interactions: list
    tickets: list
    disclosures: list
    requests: list
    first_contact: list[str] = field(default_factory=list)
    safety: list[str] = field(default_factory=list)

    @property
    def inactive_days(self) -> int | None:
        profile = self.keeping.get("profile")
        return profile.inactive_days if profile else None

    @property
    def suggestions_shown(self) -> int:
        return self.counts.get("recommendations.shownrecommendation", 0)

    @property
    def offers_sent(self) -> int:
        return self.counts.get("campaigns.recipient", 0)

    @property
    def has_purchases(self) -> bool:
        return self.counts.get("customers.purchase", 0) > 0

    @property
    def has_conversations(self) -> bool:
        return bool(self.interactions or self.tickets)


def holdings_of(customer, *, purchases=None) -> Holdings:
    """Everything the customer's pages show about their data. `purchases` replaces the
    full list (the page passes one page of it)."""
    counts = record_counts(customer.pk)
    disclosures = [
        {
            "at": disclosure.disclosed_at,
            "processor": disclosure.processor.name,
            "categories": [category_name(code) for code in disclosure.categories],
        }
        for disclosure in disclosures_of(customer.pk)
    ]
    return Holdings(
        customer=customer,
        keeping=keeping_by_category(),
        counts=counts,
        purchases=purchases_of(customer.pk) if purchases is None else purchases,
        choices=choices_of(customer.pk),
        history=consent_history(customer.pk)[:100],
        interactions=list(interactions_of(customer.pk)),
        tickets=tickets_of(customer.pk),
        disclosures=disclosures,
        requests=requests_of(customer.pk),
        first_contact=[
            records_sentence(label, counts[label])
            for label in FIRST_CONTACT_TABLES
            if counts.get(label)
        ],
        safety=[
            records_sentence(label, counts[label]) for label in SAFETY_TABLES if counts.get(label)
        ],
    )
