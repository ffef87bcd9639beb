"""Metrics: charts as SVG images with their numbers as CSV. No personal data."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render

from access.policy import Action
from dashboard.charts import CHARTS, render_svg
from dashboard.permissions import staff_required

metrics_only = staff_required(Action.METRICS)


@metrics_only
def metrics(request):
    return render(request, "dashboard/metrics/index.html", {"charts": CHARTS.values()})


def _chart(slug: str):
    if slug not in CHARTS:
        raise Http404
    return CHARTS[slug]


@metrics_only
def chart_svg(request, slug: str):
    return HttpResponse(render_svg(_chart(slug)), content_type="image/svg+xml")


@metrics_only
def chart_csv(request, slug: str):
    chart = _chart(slug)
    table = chart.table()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return response
