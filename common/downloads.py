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
from collections.abc import Collection, Iterable, Sequence
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


XLSX_INTEGER_FORMAT = "#,##0"


def xlsx_table_download(
    *,
    filename: str,
    sheet_title: str,
    title: str | None,
    labels: dict[str, str],
    rows: Iterable[Sequence[Any]],
    total: Sequence[Any] | None = None,
    number_formats: dict[str, str] | None = None,
    wide: Collection[str] = (),
) -> HttpResponse:
    """A one-sheet XLSX for people: a bold title (none for a file to be filled in and read
    back, whose first row must be the column names), the column headings (`labels`, keyed like
    the CSV), one row per item, an optional bold total row; headings frozen, a filter over the
    rows.

    Integers get thousands separators; `number_formats` names other formats by key (a value
    of None keeps none). Columns in `wide` are wide enough for names.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    keys, formats = list(labels), number_formats or {}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    heading = 1
    if title is not None:
        xlsx_cell(sheet, row=1, column=1, value=title).font = Font(bold=True, size=13)
        heading = 2
    for column, key in enumerate(keys, start=1):
        sheet.cell(row=heading, column=column, value=labels[key]).font = Font(bold=True)

    def write(row_number: int, values: Sequence[Any]) -> None:
        for column, (key, value) in enumerate(zip(keys, values, strict=True), start=1):
            cell = xlsx_cell(sheet, row=row_number, column=column, value=value)
            if value is not None and key in formats:
                cell.number_format = formats[key]
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = XLSX_INTEGER_FORMAT

    last = heading
    for last, values in enumerate(rows, start=heading + 1):
        write(last, values)
    if total is not None:
        write(last + 1, total)
        for cell in sheet[last + 1]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{heading + 1}"
    if last > heading:
        sheet.auto_filter.ref = f"A{heading}:{get_column_letter(len(keys))}{last}"
    for column, key in enumerate(keys, start=1):
        width = 32 if key in wide else max(12, len(labels[key]) + 2)
        sheet.column_dimensions[get_column_letter(column)].width = width
    return xlsx_download(workbook, filename=filename)


def xlsx_download(workbook, *, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)


def fill_in_download(
    *,
    file_format: str,
    filename: str,
    sheet_title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    wide: Collection[str] = (),
) -> HttpResponse:
    """A file to be filled in and uploaded back (`file_format` "csv" or "xlsx"): the upload's
    column names as the first row, then `rows`; `filename` without its extension."""
    if file_format == "csv":
        return csv_download(filename=f"{filename}.csv", header=columns, rows=rows)
    return xlsx_table_download(
        filename=f"{filename}.xlsx",
        sheet_title=sheet_title,
        title=None,  # the upload reads the first row as the column names
        labels={key: key for key in columns},
        rows=rows,
        wide=wide,
    )


def refused_download(problems: str | Iterable[str]) -> HttpResponseBadRequest:
    """A 400 in plain text, for a download asked with wrong parameters (no page to show it)."""
    text = problems if isinstance(problems, str) else " ".join(str(p) for p in problems)
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
