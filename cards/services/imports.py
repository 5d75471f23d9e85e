"""Card reports from a CSV or XLSX file, for `manage.py import_card_reports` (and the upload
page to come): read strictly, every value problem named by line and column, then checked and
saved by the same service as the entry form, all rows or none.

The header must hold exactly the columns `date, area, print_ready, duplicates, failed,
printed, spoiled, suket_issued, received, handed_out`: a misspelt column would otherwise be
ignored and its figures lost without a word. A blank cell is "not reported"; `area` is an
official code, a regency (16.09) for the print office's figures or a kecamatan (16.09.01) for
received and handed out.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from cards.choices import FIGURE_COLUMNS
from cards.services.reports import (
    AREA,
    DATE,
    CardReportsRejected,
    ReportCheck,
    ReportRow,
    card_reports_check,
    card_reports_save,
)
from common import xlsx_reader
from common.parsing import (
    CSV_DELIMITERS,
    CellError,
    FileRefused,
    Table,
    is_blank,
    parse_date,
    parse_whole_number,
    read_csv,
    table_file_type,
)
from districts.models import Regency, SubDistrict
from recording.models import EntrySource
from recording.services.counts import Problem
from recording.services.imports import control_character_problems

COLUMNS = (DATE, AREA, *FIGURE_COLUMNS)
_COLUMN_ORDER = {name: number for number, name in enumerate(("", *COLUMNS))}

# A line as read: (line, area code, date, figures).
Line = tuple[int, str, dt.date, dict[str, int | None]]


@dataclass
class CardLines:
    lines: int
    rows: list[Line] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def card_table_read(*, content: bytes, file_name: str) -> Table:
    """The file as a table of exactly `COLUMNS`; `FileRefused` when it cannot be."""
    if table_file_type(file_name) == ".xlsx":
        table = xlsx_reader.worksheet_table(
            content, required=COLUMNS, columns=COLUMNS, seconds=settings.UPLOAD_PARSE_SECONDS
        )
    else:
        table = read_csv(content, required=COLUMNS, delimiters=CSV_DELIMITERS)
    if unknown := [name for name in table.columns if name not in COLUMNS]:
        raise FileRefused(
            [
                f"Judul kolom: kolom tidak dikenal: {', '.join(unknown)}. Kolom yang boleh: "
                f"{', '.join(COLUMNS)}."
            ]
        )
    return table


def _line_read(line: int, values: dict[str, Any], parse_day) -> tuple[Line | None, list[Problem]]:
    problems = control_character_problems(line, values, COLUMNS)
    refused = {problem.column for problem in problems}
    date, code, figures = None, "", {}
    if DATE not in refused:
        try:
            date = parse_day(values.get(DATE))
        except CellError as exc:
            problems.append(Problem(line, DATE, str(exc)))
    if AREA not in refused:
        code = str(values.get(AREA) or "").strip()
        if not code:
            problems.append(Problem(line, AREA, "wajib diisi (kode wilayah, mis. 16.09)."))
    for column in FIGURE_COLUMNS:
        value = values.get(column)
        if column in refused or is_blank(value):
            figures[column] = None
            continue
        try:
            figures[column] = parse_whole_number(value)
        except CellError as exc:
            problems.append(Problem(line, column, str(exc)))
    if problems:
        return None, problems
    return (line, code, date, figures), []


def card_lines_read(*, content: bytes, file_name: str) -> CardLines:
    """Every line of the file, each value checked; no database access. `FileRefused` when the
    file cannot be read as a table at all."""
    table = card_table_read(content=content, file_name=file_name)
    result = CardLines(lines=len(table.rows) + len(table.problems))
    result.errors = [Problem(line, "", message) for line, message in table.problems]
    parse_day = functools.lru_cache(maxsize=1024)(parse_date)
    for line, values in table.rows:
        row, problems = _line_read(line, values, parse_day)
        result.errors.extend(problems)
        if row is not None:
            result.rows.append(row)
    return result


def card_lines_resolve(card_lines: CardLines) -> tuple[list[ReportRow], list[Problem]]:
    """The lines' areas looked up (two queries); an unknown code is a problem of its line."""
    codes = {code for _line, code, _date, _figures in card_lines.rows}
    areas = {
        **{area.code: area for area in Regency.objects.filter(code__in=codes)},
        **{area.code: area for area in SubDistrict.objects.filter(code__in=codes)},
    }
    rows, errors = [], list(card_lines.errors)
    for line, code, date, figures in card_lines.rows:
        if code in areas:
            rows.append(ReportRow(line=line, area=areas[code], date=date, figures=figures))
        else:
            errors.append(
                Problem(
                    line,
                    AREA,
                    gettext(
                        "wilayah %(code)s tidak dikenal; tulis kode kabupaten/kota (mis. 16.09) "
                        "atau kecamatan (mis. 16.09.01)."
                    )
                    % {"code": f'"{code}"'},
                )
            )
    return rows, errors


def card_file_import(
    *, content: bytes, file_name: str, user=None, dry_run: bool = False, today=None
) -> ReportCheck:
    """Check (and unless `dry_run`, save) every line of the file, or none.

    Raises `FileRefused` for a file that cannot be read, `CardReportsRejected` with every
    problem (of reading and of the rules) otherwise.
    """
    rows, read_errors = card_lines_resolve(card_lines_read(content=content, file_name=file_name))
    if read_errors or dry_run:
        # The rules still run on the readable lines, so every problem is listed at once.
        check = card_reports_check(rows=rows, user=user, today=today)
        check.errors = sorted(
            read_errors + check.errors, key=lambda p: (p.line, _COLUMN_ORDER.get(p.column, 99))
        )
        if check.errors:
            raise CardReportsRejected(check)
        return check
    return card_reports_save(rows=rows, user=user, source=EntrySource.IMPORT, today=today)
