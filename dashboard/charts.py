"""Metrics charts: each is a table of numbers (no personal data) drawn server-side as SVG
by pygal, and the same numbers as CSV. pygal's JavaScript (loaded from a CDN by
default) is switched off and its inline script removed: the charts are plain images.

The images are drawn wide (the page scales them to its width), with whole-number axes
(a count of 2.5 customers reads as a bug), and name purposes, request kinds and series
in the reader's language; the CSV keeps the codes, for machines."""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from xml.etree import ElementTree

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from pygal.style import Style

from consent.selectors import consent_rates
from consent.vocabulary import purpose_name
from customers.selectors import customers_per_month
from disposal.selectors import erasures_per_week
from leads.selectors import source_quality
from privacy.models import RequestKind
from privacy.selectors import request_timeliness
from service.selectors import tickets_per_week

STYLE = Style(
    font_family="system-ui, sans-serif",
    background="#ffffff",
    plot_background="#ffffff",
    colors=("#1d70b8", "#d4351c", "#00703c", "#f47738"),
)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list]


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    table: Callable[[], Table]
    kind: str  # "bar", "line", "stacked", "grouped" (bars side by side)
    x_label: Callable[[object], str] = str  # the first column's value in words
    percent: bool = False  # the plotted values are percentages (axis 0 to 100)


# The plotted columns' names in words (the CSV header keeps the codes).
SERIES_TEXT = {
    "new_customers": _("New customers"),
    "rate_percent": _("Consent rate (%)"),
    "closed_on_time": _("Closed on time"),
    "closed_late": _("Closed late"),
    "open_on_time": _("Open, on time"),
    "open_overdue": _("Open, overdue"),
    "erasures_completed": _("Erasures completed"),
    "conversion_rate_percent": _("Conversion rate (%)"),
    "opened": _("Opened"),
    "resolved": _("Resolved"),
    "complaints": _("Complaints"),
}


def _series_name(column: str) -> str:
    return str(SERIES_TEXT.get(column, column.replace("_", " ")))


def _month(text) -> str:
    """ "2026-09" (the CSV's month) as "Sep 2026" in the reader's language."""
    return date_format(date.fromisoformat(f"{text}-01"), "M Y")


def _week(text) -> str:
    """ "2026-09-21" (the CSV's Monday) as the reader's short date."""
    return date_format(date.fromisoformat(str(text)), "SHORT_DATE_FORMAT")


def _request_kind(code) -> str:
    return str(RequestKind(code).label) if code in RequestKind.values else str(code)


def _customers() -> Table:
    rows = [[month.strftime("%Y-%m"), count] for month, count in customers_per_month()]
    return Table(["month", "new_customers"], rows)


def _consents() -> Table:
    rows = [
        [purpose, granted, total, round(100 * granted / total, 1) if total else 0.0]
        for purpose, granted, total in consent_rates()
    ]
    return Table(["purpose", "granted", "recorded", "rate_percent"], rows)


def _requests() -> Table:
    rows = [
        [t.kind, t.on_time, t.late, t.open_on_time, t.open_overdue] for t in request_timeliness()
    ]
    return Table(["kind", "closed_on_time", "closed_late", "open_on_time", "open_overdue"], rows)


def _erasures() -> Table:
    rows = [[monday.isoformat(), count] for monday, count in erasures_per_week()]
    return Table(["week_starting", "erasures_completed"], rows)


def _lead_sources() -> Table:
    rows = [
        [
            row.source,
            row.leads,
            row.converted,
            row.days_to_convert,
            row.disqualified_share,
            row.conversion_rate,
        ]
        for row in source_quality()
    ]
    columns = ["source", "leads", "converted", "days_to_convert", "disqualified_percent"]
    return Table([*columns, "conversion_rate_percent"], rows)


def _tickets() -> Table:
    rows = [[monday.isoformat(), *counts] for monday, *counts in tickets_per_week()]
    return Table(["week_starting", "opened", "resolved", "complaints"], rows)


CHARTS = {
    chart.slug: chart
    for chart in (
        Chart("customers", _("New customers per month"), _customers, "line", x_label=_month),
        Chart(
            "consent",
            _("Consent rate per purpose (%)"),
            _consents,
            "bar",
            x_label=purpose_name,
            percent=True,
        ),
        Chart(
            "requests",
            _("Data-subject requests: on time and overdue"),
            _requests,
            "stacked",
            x_label=_request_kind,
        ),
        Chart("erasures", _("Erasures completed per week"), _erasures, "bar", x_label=_week),
        Chart(
            "lead-sources",
            _("Conversion rate per lead source (%)"),
            _lead_sources,
            "bar",
            percent=True,
        ),
        Chart(
            "tickets",
            _("Service tickets opened and resolved per week"),
            _tickets,
            "grouped",
            x_label=_week,
        ),
    )
}


WIDTH, HEIGHT = 1000, 420  # drawn wide; the page scales the image to its width


def whole_number_ticks(values: list, *, percent: bool = False) -> list[int]:
    """Axis ticks at whole numbers from 0 past the largest value, about eight of them
    (0 to 100 by 10 for percentages)."""
    if percent:
        return list(range(0, 101, 10))
    top = max([math.ceil(value) for value in values if value is not None] + [1])
    step = max(1, math.ceil(top / 8))
    return list(range(0, top + step, step))


def render_svg(chart: Chart) -> bytes:
    table = chart.table()
    if chart.kind == "stacked":
        plotted = [sum(row[1:]) for row in table.rows]
    elif chart.kind == "grouped":
        plotted = [value for row in table.rows for value in row[1:]]
    else:
        plotted = [row[-1] for row in table.rows]
    config = {
        "title": str(chart.title),
        "style": STYLE,
        "js": [],
        "width": WIDTH,
        "height": HEIGHT,
        "show_legend": chart.kind in ("stacked", "grouped"),
        "legend_at_bottom": True,
        "x_label_rotation": 30,
        "y_labels": whole_number_ticks(plotted, percent=chart.percent),
        "value_formatter": lambda value: f"{value:g}",
    }
    if chart.kind == "line":
        svg = pygal.Line(**config)
    elif chart.kind == "stacked":
        svg = pygal.StackedBar(**config)
    else:
        svg = pygal.Bar(**config)
    svg.x_labels = [chart.x_label(row[0]) for row in table.rows]
    if chart.kind in ("stacked", "grouped"):
        for index, column in enumerate(table.columns[1:], start=1):
            svg.add(_series_name(column), [row[index] for row in table.rows])
    else:
        svg.add(_series_name(table.columns[-1]), [row[-1] for row in table.rows])
    return _without_scripts(svg.render_tree())


def _without_scripts(tree: ElementTree.Element) -> bytes:
    """pygal always embeds a <script> with its config; an image needs none (and a CSP
    would refuse it), so it is taken out."""
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(tree)
