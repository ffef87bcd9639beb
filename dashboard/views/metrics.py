"""Metrics: charts as SVG images with their numbers as CSV. No personal data."""

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp
from django.http import Http404, HttpResponse
from django.shortcuts import render

from access.policy import Action
from dashboard.charts import CHARTS, render_svg
from dashboard.permissions import staff_required
from runtime.csv_writer import csv_download
from runtime.replica import replica_reads

metrics_only = staff_required(Action.METRICS)


@metrics_only
def metrics(request):
    return render(request, "dashboard/metrics/index.html", {"charts": CHARTS.values()})


def _chart(slug: str):
    if slug not in CHARTS:
        raise Http404
    return CHARTS[slug]


# The chart is an image document of its own (shown through <img>), not part of a page:
# pygal styles it with an inline <style>, which this policy allows inside the SVG only;
# nothing in it may run or load anything.
CHART_POLICY = {"default-src": [NONE], "style-src": [UNSAFE_INLINE], "sandbox": True}


@csp(CHART_POLICY)
@metrics_only
def chart_svg(request, slug: str):
    with replica_reads():  # counts that tolerate a few seconds of lag
        svg = render_svg(_chart(slug))
    return HttpResponse(svg, content_type="image/svg+xml")


@metrics_only
def chart_csv(request, slug: str):
    chart = _chart(slug)
    with replica_reads():
        table = chart.table()
    response, writer = csv_download(f"{slug}.csv")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return response
