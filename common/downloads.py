"""The writers every download goes through, one per format (dashboards, repairs, vendors).

A spreadsheet evaluates a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a
tab or a carriage return) as a formula: a symptom typed as `=HYPERLINK(...)` would run on the
official's PC. Following OWASP's CSV-injection guidance, such text cells are written with a
leading apostrophe, which spreadsheets show as plain text. Only text is neutralised: numbers are
written as they are, so a real figure never changes (the figures the product exports are counts,
days and percentages, never negative; a negative number would still be written as a number).
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext

# The ASCII triggers, the full-width forms some spreadsheets also accept, and the whitespace
# controls that can hide one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_text(value: str) -> str:
    """Text as a spreadsheet will show it, never evaluate it."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def csv_cell(value: Any) -> str:
    """A value as plain CSV text: empty for None, ISO dates, `true`/`false`, numbers as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_text(str(value))


def unknown_format_response(export_format: str) -> HttpResponseBadRequest:
    """The answer to `?_export=` naming a format no page offers."""
    return HttpResponseBadRequest(
        gettext("Format unduhan “%(format)s” tidak dikenal; gunakan _export=csv atau xlsx.")
        % {"format": export_format},
        content_type="text/plain; charset=utf-8",
    )


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A UTF-8 CSV attachment: the header, then one line per row, every cell via `csv_cell`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow([csv_text(str(name)) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return attachment(response, filename)


# --- XLSX -----------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_DATE_FORMAT = "dd-mm-yyyy"


def xlsx_cell(sheet, *, row: int, column: int, value: Any):
    """Write one typed cell: text stays text (never a formula), dates get a date format.

    Characters XML cannot carry are dropped from text (openpyxl refuses them). Returns the cell,
    for the caller's number formats and fonts.
    """
    # Imported here: openpyxl takes a moment to load, and only XLSX downloads need it.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would store it as a formula
    elif isinstance(value, dt.date):
        cell.number_format = XLSX_DATE_FORMAT
    return cell


def xlsx_download(workbook, *, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)
