"""Lead reads shared by the surfaces: lists, the pipeline of deals, and the quality of
each source. Nothing here decrypts: the pages that show a name do, a page at a time."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, F, Q, QuerySet

from disposal.selectors import subjects_being_erased
from leads.models import Deal, DealStage, Lead, LeadForm, LeadStatus


def live_lead(lead_id) -> Lead | None:
    """The lead, unless unknown, converted, or being erased."""
    try:
        subject_id = uuid.UUID(str(lead_id))
    except ValueError:
        return None
    if subjects_being_erased([subject_id]):
        return None
    return Lead.objects.exclude(status=LeadStatus.CONVERTED).filter(pk=subject_id).first()


def leads(*, status: str = "", source: str = "") -> QuerySet[Lead]:
    queryset = (
        Lead.objects.exclude(status=LeadStatus.CONVERTED)
        .select_related("owner")
        .order_by("-score", "-created_at")
    )
    if status:
        queryset = queryset.filter(status=status)
    if source:
        queryset = queryset.filter(source=source)
    return queryset


def sources() -> list[str]:
    return list(Lead.objects.order_by("source").values_list("source", flat=True).distinct())


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    deals: list[Deal]
    total: object


def board() -> list[Column]:
    """Deals by stage, each column with its total value."""
    deals = list(Deal.objects.select_related("lead", "customer", "owner").order_by("-updated_at"))
    return [
        Column(
            stage,
            label,
            [deal for deal in deals if deal.stage == stage],
            sum((deal.value for deal in deals if deal.stage == stage), 0),
        )
        for stage, label in DealStage.choices
    ]


@dataclass(frozen=True)
class SourceQuality:
    source: str
    leads: int
    converted: int
    disqualified: int
    days_to_convert: float | None

    @property
    def conversion_rate(self) -> float:
        return round(100 * self.converted / self.leads, 1) if self.leads else 0.0

    @property
    def disqualified_share(self) -> float:
        return round(100 * self.disqualified / self.leads, 1) if self.leads else 0.0


def source_quality() -> list[SourceQuality]:
    """Per source: leads, conversion rate, mean days to convert, share disqualified.
    Counts only (a lead erased before converting no longer counts)."""
    rows = (
        Lead.objects.values("source")
        .annotate(
            total=Count("id"),
            converted=Count("id", filter=Q(status=LeadStatus.CONVERTED)),
            disqualified=Count("id", filter=Q(status=LeadStatus.DISQUALIFIED)),
            to_convert=Avg(
                F("converted_at") - F("created_at"), filter=Q(status=LeadStatus.CONVERTED)
            ),
        )
        .order_by("source")
    )
    return [
        SourceQuality(
            row["source"],
            row["total"],
            row["converted"],
            row["disqualified"],
            round(row["to_convert"] / timedelta(days=1), 1) if row["to_convert"] else None,
        )
        for row in rows
    ]


def lead_forms() -> QuerySet[LeadForm]:
    return LeadForm.objects.order_by("slug")
