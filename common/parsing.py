"""Reading values the way Indonesian offices write them, with messages an operator understands.

Shared by every import (eligible populations, daily counts) and the entry form, so `1.234`,
`16/04/2012` and Excel's own numbers and dates mean the same everywhere, and no value carries a
control character into the database. The table readers at the end turn a CSV (or a worksheet's
rows) into numbered rows keyed by column name, refusing a file that has no header, lacks a
required column or is not UTF-8 text; a CSV is read strictly, line by line.
"""

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from common.i18n import format_number, gettext_noop
from common.i18n import gettext as _
from common.text import character_name, first_control_character

# `12345` or Indonesian thousands groups `12.345`; ASCII digits only (no sign, no decimal comma).
WHOLE_NUMBER_RE = re.compile(r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+")
ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DMY_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
REQUIRED = gettext_noop("wajib diisi.")
NEGATIVE = gettext_noop('"%(value)s" negatif; jumlah tidak boleh kurang dari 0.')
# The range of an integer column on PostgreSQL; SQLite would store more, so check it everywhere.
INTEGER_MAX = 2_147_483_647


class CellError(ValueError):
    """One value that cannot be used; the message is the problem, without line or column."""


def control_character_error(text: str) -> str | None:
    """The problem of `text` if it holds a control character (C0 except tab, DEL, C1), else None.

    The message names the first one and where it is, to be put after the field's name:
    "berisi karakter kontrol U+0000 (NUL) pada karakter ke-5; hapus karakter itu."
    """
    # A file's value never spans lines (the CSV reader refuses that), so a line break is one too.
    match = first_control_character(text, line_breaks=False)
    if match is None:
        return None
    return _(
        "berisi karakter kontrol %(character)s pada karakter ke-%(position)s; hapus karakter itu."
    ) % {"character": character_name(match[0]), "position": match.start() + 1}


def parse_whole_number(value: Any, *, maximum: int = INTEGER_MAX) -> int:
    """A whole number >= 0 from text (`1234`, `1.234`) or from a spreadsheet cell (int/float)."""
    if isinstance(value, bool):
        raise CellError(_('"%(value)s" bukan bilangan bulat.') % {"value": value})
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_('"%(value)s" bukan bilangan bulat.') % {"value": f"{value:g}"})
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise CellError(_(NEGATIVE) % {"value": value})
        number = value
        text = str(value)
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise CellError(_(REQUIRED))
        if text.startswith("-") and WHOLE_NUMBER_RE.fullmatch(text[1:]):
            raise CellError(_(NEGATIVE) % {"value": text})
        if not WHOLE_NUMBER_RE.fullmatch(text):
            raise CellError(
                _('"%(value)s" bukan bilangan bulat (contoh: 120 atau 1.234).') % {"value": text}
            )
        number = int(text.replace(".", ""))
    if number > maximum:
        raise CellError(
            _('"%(value)s" terlalu besar; paling banyak %(maximum)s.')
            % {"value": text, "maximum": format_number(maximum)}
        )
    return number


def parse_date(value: Any) -> dt.date:
    """A date from `2012-04-16`, `16/04/2012` or a spreadsheet date cell."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise CellError(
                _('"%(value)s" berisi jam; tulis tanggal saja.')
                % {"value": f"{value:%Y-%m-%d %H:%M}"}
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value if value is not None else "").strip()
    if not text:
        raise CellError(_(REQUIRED))
    if match := ISO_DATE_RE.fullmatch(text):
        year, month, day = match.groups()
    elif match := DMY_DATE_RE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise CellError(
            _('"%(value)s" bukan tanggal; tulis 2012-04-16 atau 16/04/2012.') % {"value": text}
        )
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(
            _('"%(value)s" bukan tanggal yang ada di kalender.') % {"value": text}
        ) from None


# --- Tables: CSV files and worksheet rows --------------------------------------------------------

CSV_DELIMITERS = (",", ";")
# The files every import reads: a CSV, or the first worksheet of an XLSX.
FILE_TYPES = (".csv", ".xlsx")
# Wider than any count or population file, with room for the columns an office adds for itself.
MAX_COLUMNS = 100
# A count or population line is a few hundred characters at most.
MAX_LINE_CHARS = 10_000
NO_DATA = gettext_noop("Tidak ada data untuk diimpor: tidak ada baris sesudah judul kolom.")
# A number followed by a group of exactly three digits: `1,234` split at its comma.
_NUMBER_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})*")
_THOUSANDS_RE = re.compile(r"[0-9]{3}")


class FileRefused(ValueError):
    """A file refused as a whole, before any row is looked at; `errors` are complete messages."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Table:
    """Data rows keyed by column name (trimmed, lower-case), each with the line it starts on.

    `problems` are (line, message) about a line as a whole, such as more values than columns;
    those lines are not in `rows`. `header` is the header's names by position ("" for a column
    without a name).
    """

    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list, repr=False)

    def add(self, line: int, cells: Sequence[Any]) -> None:
        # A short row leaves its last columns out; callers report them as empty values.
        self.rows.append(
            (line, {name: cell for name, cell in zip(self.header, cells, strict=False) if name})
        )


def table_file_type(file_name: str) -> str:
    """`.csv` or `.xlsx` from the file's name; `FileRefused` for any other (an old `.xls` with
    the way to save it instead)."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in FILE_TYPES:
        return suffix
    if suffix == ".xls":
        raise FileRefused(
            [_("Berkas Excel lama (.xls) tidak didukung; simpan sebagai .xlsx atau CSV UTF-8.")]
        )
    raise FileRefused(
        [
            _("Jenis berkas %(type)s tidak dikenal; unggah berkas .csv atau .xlsx.")
            % {"type": suffix or _("tanpa ekstensi")}
        ]
    )


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(number: int) -> str:
    """1 -> 'A', 27 -> 'AA', 16384 -> 'XFD': the name a spreadsheet gives column `number`."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def decode_utf8(data: bytes | str) -> str:
    """Text of a file saved as UTF-8, with or without Excel's byte-order mark."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused(
            [
                _("Baris %(line)s: berkas bukan teks UTF-8; simpan ulang sebagai CSV UTF-8.")
                % {"line": line}
            ]
        ) from None


def csv_delimiter(text: str) -> str:
    """`;` when the header line has more semicolons than commas (Excel in Indonesian), else `,`."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def table_header(
    line: int, cells: Sequence[Any], *, required: Sequence[str], hint: str = ""
) -> Table:
    """The empty table that the header `cells` (found on `line`) opens.

    Raises `FileRefused` when the header is wider than `MAX_COLUMNS`, a name holds a control
    character, a required column is missing or a column appears twice. Other columns are kept
    (callers ignore what they do not know).
    """
    if len(cells) > MAX_COLUMNS:
        raise FileRefused(
            [
                _("Baris %(line)s: judul berisi %(columns)s kolom; paling banyak %(maximum)s.")
                % {"line": line, "columns": format_number(len(cells)), "maximum": MAX_COLUMNS}
            ]
        )
    header = [str(cell if cell is not None else "").strip().lower() for cell in cells]
    if errors := [
        _("Baris %(line)s: judul kolom ke-%(number)s %(problem)s")
        % {"line": line, "number": number, "problem": problem}
        for number, name in enumerate(header, start=1)
        if (problem := control_character_error(name))
    ]:
        raise FileRefused(errors)
    errors = [
        _("Baris %(line)s: kolom %(name)s muncul lebih dari sekali.") % {"line": line, "name": name}
        for name in dict.fromkeys(header)
        if name and header.count(name) > 1
    ]
    if missing := [name for name in required if name not in header]:
        found = ", ".join(name for name in header if name) or _("tidak ada")
        errors.append(
            _("Baris %(line)s: kolom wajib tidak ada: %(missing)s (kolom yang ada: %(found)s).")
            % {"line": line, "missing": ", ".join(missing), "found": found}
            + hint
        )
    if errors:
        raise FileRefused(errors)
    return Table(columns=[name for name in header if name], header=header)


def _no_header(required: Sequence[str]) -> FileRefused:
    return FileRefused(
        [
            _("Berkas kosong: baris pertama harus judul kolom %(columns)s.")
            % {"columns": ",".join(required)}
        ]
    )


def table_from_cells(
    rows: Iterable[tuple[int, Sequence[tuple[int, Any]]]], *, required: Sequence[str]
) -> Table:
    """A worksheet's rows as a `Table`; line numbers are the sheet's row numbers.

    Each row comes as its number and the (column number, value) pairs of the cells that hold a
    value, so a value far to the right costs nothing. The first row with a value is the header,
    as wide as its last named column; a later row with a value right of it is a problem of its
    line. Blank rows are skipped; a sheet with no data row after its header is refused.
    """
    table = None
    for line, cells in rows:
        if table is None:
            if used := [column for column, value in cells if not is_blank(value)]:
                header = [None] * max(used)
                for column, value in cells:
                    if column <= len(header):
                        header[column - 1] = value
                table = table_header(line, header, required=required)
            continue
        width = len(table.header)
        dense = [None] * width
        outside = 0
        for column, value in cells:
            if column <= width:
                dense[column - 1] = value
            elif (not outside or column < outside) and not is_blank(value):
                outside = column
        if outside:
            table.problems.append(
                (
                    line,
                    _("berisi nilai di kolom %(column)s, di luar judul (kolom A sampai %(last)s).")
                    % {"column": column_letter(outside), "last": column_letter(width)},
                )
            )
        elif not all(map(is_blank, dense)):
            table.add(line, dense)
    if table is None:
        raise _no_header(required)
    if not table.rows and not table.problems:
        raise FileRefused([_(NO_DATA)])
    return table


class _OneLine:
    """Gives a csv reader one line of the file at a time, and notes when it asked for more: a
    quoted value that its line did not close."""

    def __init__(self):
        self.line: str | None = None
        self.starved = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.line is None:
            self.starved = True
            raise StopIteration
        line, self.line = self.line, None
        return line

    def give(self, line: str) -> None:
        self.line, self.starved = line, False


def _csv_lines(text: str, delimiter: str) -> Iterator[tuple[int, list[str], str]]:
    """(line number, values, problem) for every line of `text`; a line with a problem has no
    values. Each line is read on its own, so a mistake in one never swallows the next."""
    feed = _OneLine()
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    # Only "\n", "\r\n" and "\r" end a line, as in the csv module.
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            yield (
                number,
                [],
                _("baris terlalu panjang (%(length)s karakter); paling banyak %(maximum)s.")
                % {"length": format_number(len(line)), "maximum": format_number(MAX_LINE_CHARS)},
            )
            continue
        feed.give(line)
        try:
            yield number, next(reader), ""
        except csv.Error:
            if feed.starved:
                problem = _(
                    'tanda kutip (") dibuka tetapi tidak ditutup di baris ini; satu nilai tidak '
                    "boleh melewati akhir baris."
                )
            else:
                problem = _(
                    'tanda kutip (") salah tempat: nilai yang diapit tanda kutip harus langsung '
                    'diikuti pemisah kolom, dan tanda kutip di dalam nilai ditulis dua kali ("").'
                )
            yield number, [], problem


def _split_number(cells: Sequence[str]) -> bool:
    """Whether a comma seems to have split a number such as 1,234 into two values."""
    return any(
        _NUMBER_RE.fullmatch(left.strip()) and _THOUSANDS_RE.fullmatch(right.strip())
        for left, right in itertools.pairwise(cells)
    )


def read_csv(
    data: bytes | str, *, required: Sequence[str], delimiters: Sequence[str] = (",",)
) -> Table:
    """A CSV file as a `Table`, read strictly; line numbers count from the first line as 1.

    A value must end on the line it starts on, and a line may not hold more values than the
    header has columns, blank or not: `1,234` in a count would otherwise move every later value
    one column on without a word (the message then says how to write the number). Such a line
    is a problem of its own and the lines after it are still read, so every mistake is listed
    at once. With more than one allowed delimiter the header line decides which one the file
    uses. A file with no data row after its header, or whose header cannot be read, is refused.
    """
    text = decode_utf8(data)
    delimiter = csv_delimiter(text) if len(delimiters) > 1 else delimiters[0]
    table = None
    for line, cells, problem in _csv_lines(text, delimiter):
        if problem:
            if table is None:
                raise FileRefused(
                    [_("Baris %(line)s: %(problem)s") % {"line": line, "problem": problem}]
                )
            table.problems.append((line, problem))
            continue
        if all(map(is_blank, cells)):
            continue
        if table is None:
            hint = ""
            if ";" not in delimiters and ";" in "".join(cells):
                hint = " " + _("Pemisah kolom harus koma (,).")
            table = table_header(line, cells, required=required, hint=hint)
        elif len(cells) > len(table.header):
            problem = _("berisi %(values)s nilai, padahal judul hanya %(columns)s kolom.") % {
                "values": format_number(len(cells)),
                "columns": format_number(len(table.header)),
            }
            if delimiter == "," and _split_number(cells):
                problem += " " + _("Angka tidak boleh memakai koma: tulis 1234 atau 1.234.")
            table.problems.append((line, problem))
        else:
            table.add(line, cells)
    if table is None:
        raise _no_header(required)
    if not table.rows and not table.problems:
        raise FileRefused([_(NO_DATA)])
    return table
