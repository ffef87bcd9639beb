"""Explainable lead scoring: a short list of rules, each worth stated points, grouped as
source, engagement and fit. A lead's score is the sum of the rules it meets, and the
dashboard shows every rule with its points so that nobody has to trust a number."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import CaptureMethod, DealStage, Lead

CATEGORY_TEXT = {"source": _("Source"), "engagement": _("Engagement"), "fit": _("Fit")}


@dataclass(frozen=True)
class RuleResult:
    category: str  # "source", "engagement" or "fit"
    label: str
    points: int
    met: bool

    @property
    def category_label(self) -> str:
        return str(CATEGORY_TEXT.get(self.category, self.category))


def _source_points(lead: Lead) -> int:
    overrides = settings.LEADS_SOURCE_POINTS
    if lead.source in overrides:
        return int(overrides[lead.source])
    return {CaptureMethod.FORM: 10, CaptureMethod.API: 10, CaptureMethod.STAFF: 5}.get(
        lead.method, 0
    )


def rules(lead: Lead, *, confirmed_purposes: set[str], open_deals: int) -> list[RuleResult]:
    """Every rule with its points and whether the lead meets it."""
    now = timezone.now()
    source_points = _source_points(lead)
    return [
        RuleResult(
            "source",
            str(_("Came in by itself (form or API) or from a source rated in settings")),
            source_points,
            source_points > 0,
        ),
        RuleResult(
            "engagement",
            str(_("Confirmed marketing by email (double opt-in)")),
            15,
            "marketing_email" in confirmed_purposes,
        ),
        RuleResult(
            "engagement",
            str(_("Contacted at least once")),
            10,
            lead.contact_count > 0,
        ),
        RuleResult(
            "engagement",
            str(_("In touch within the last 30 days")),
            10,
            lead.last_contact_at is not None and lead.last_contact_at >= now - timedelta(days=30),
        ),
        RuleResult("fit", str(_("Gave a company")), 10, bool(lead.company)),
        RuleResult("fit", str(_("Gave a phone number")), 5, bool(lead.phone)),
        RuleResult("fit", str(_("Has an open deal")), 15, open_deals > 0),
    ]


def explain(lead: Lead) -> list[RuleResult]:
    confirmed = set(
        lead.consents.filter(
            granted=True, method__in=[CaptureMethod.FORM, CaptureMethod.API]
        ).values_list("purpose_id", flat=True)
    )
    # Only purposes that went through double opt-in count as confirmed engagement.
    confirmed &= set(settings.CONSENT_DOUBLE_OPT_IN)
    open_deals = lead.deals.exclude(stage__in=[DealStage.WON, DealStage.LOST]).count()
    return rules(lead, confirmed_purposes=confirmed, open_deals=open_deals)


def score_of(results: list[RuleResult]) -> int:
    return sum(result.points for result in results if result.met)
