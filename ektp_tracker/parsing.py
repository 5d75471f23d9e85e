"""Reading values the way Indonesian offices write them, with messages an operator understands.

Shared by every import (eligible populations, daily counts) and the entry form, so `1.234`,
`16/04/2012` and Excel's own numbers and dates mean the same everywhere. The table readers at the
end turn a CSV (or a worksheet's rows) into numbered rows keyed by column name, refusing a file
that has no header, lacks a required column or is not UTF-8 text.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# `12345` or Indonesian thousands groups `12.345`; ASCII digits only (no sign, no decimal comma).
WHOLE_NUMBER_RE = re.compile(r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+")
ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DMY_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# The range of an integer column on PostgreSQL; SQLite would store more, so check it everywhere.
INTEGER_MAX = 2_147_483_647


class CellError(ValueError):
    """One value that cannot be used; the message is the problem, without line or column."""


def format_number(number: int) -> str:
    """360381 -> '360.381' (Indonesian grouping), for messages."""
    return f"{number:,}".replace(",", ".")


def parse_whole_number(value: Any, *, maximum: int = INTEGER_MAX) -> int:
    """A whole number >= 0 from text (`1234`, `1.234`) or from a spreadsheet cell (int/float)."""
    if isinstance(value, bool):
        raise CellError(f'"{value}" bukan bilangan bulat.')
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f'"{value:g}" bukan bilangan bulat.')
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise CellError(f'"{value}" negatif; jumlah tidak boleh kurang dari 0.')
        number = value
        text = str(value)
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise CellError("wajib diisi.")
        if text.startswith("-") and WHOLE_NUMBER_RE.fullmatch(text[1:]):
            raise CellError(f'"{text}" negatif; jumlah tidak boleh kurang dari 0.')
        if not WHOLE_NUMBER_RE.fullmatch(text):
            raise CellError(f'"{text}" bukan bilangan bulat (contoh: 120 atau 1.234).')
        number = int(text.replace(".", ""))
    if number > maximum:
        raise CellError(f'"{text}" terlalu besar; paling banyak {format_number(maximum)}.')
    return number


def parse_date(value: Any) -> dt.date:
    """A date from `2012-04-16`, `16/04/2012` or a spreadsheet date cell."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise CellError(f'"{value:%Y-%m-%d %H:%M}" berisi jam; tulis tanggal saja.')
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value if value is not None else "").strip()
    if not text:
        raise CellError("wajib diisi.")
    if match := ISO_DATE_RE.fullmatch(text):
        year, month, day = match.groups()
    elif match := DMY_DATE_RE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise CellError(f'"{text}" bukan tanggal; tulis 2012-04-16 atau 16/04/2012.')
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(f'"{text}" bukan tanggal yang ada di kalender.') from None


# --- Tables: CSV files and worksheet rows --------------------------------------------------------

CSV_DELIMITERS = (",", ";")


class FileRefused(ValueError):
    """A file refused as a whole, before any row is looked at; `errors` are complete messages."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Table:
    """Data rows keyed by column name (trimmed, lower-case), each with the line it starts on.

    `problems` are (line, message) about a line as a whole, such as more values than columns;
    those lines are not in `rows`.
    """

    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decode_utf8(data: bytes | str) -> str:
    """Text of a file saved as UTF-8, with or without Excel's byte-order mark."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused(
            [f"Baris {line}: berkas bukan teks UTF-8; simpan ulang sebagai CSV UTF-8."]
        ) from None


def csv_delimiter(text: str) -> str:
    """`;` when the header line has more semicolons than commas (Excel in Indonesian), else `,`."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def table_from_records(
    records: Iterable[tuple[int, Sequence[Any]]], *, required: Sequence[str], hint: str = ""
) -> Table:
    """The first non-blank record is the header; the rest are data. Blank records are skipped.

    Raises `FileRefused` when there is no header, or a required column is missing or a column
    appears twice. Other columns are kept (callers ignore what they do not know).
    """
    records = iter(records)
    # Consumes the iterator up to the header; the loop below goes on from there.
    header_line, header_cells = next(
        ((line, cells) for line, cells in records if not all(map(is_blank, cells))), (0, None)
    )
    if header_cells is None:
        raise FileRefused([f"Berkas kosong: baris pertama harus judul kolom {','.join(required)}."])
    header = [str(cell if cell is not None else "").strip().lower() for cell in header_cells]
    errors = [
        f"Baris {header_line}: kolom {name} muncul lebih dari sekali."
        for name in dict.fromkeys(header)
        if name and header.count(name) > 1
    ]
    if missing := [name for name in required if name not in header]:
        found = ", ".join(name for name in header if name) or "tidak ada"
        errors.append(
            f"Baris {header_line}: kolom wajib tidak ada: {', '.join(missing)} "
            f"(kolom yang ada: {found}).{hint}"
        )
    if errors:
        raise FileRefused(errors)

    table = Table(columns=[name for name in header if name])
    width = len(header)
    for line, cells in records:
        if all(map(is_blank, cells)):
            continue
        if not all(map(is_blank, cells[width:])):
            table.problems.append(
                (line, f"berisi {len(cells)} nilai, padahal judul hanya {width} kolom.")
            )
            continue
        # A short row leaves its last columns out; callers report them as empty values.
        table.rows.append(
            (line, {name: cell for name, cell in zip(header, cells, strict=False) if name})
        )
    return table


def read_csv(
    data: bytes | str, *, required: Sequence[str], delimiters: Sequence[str] = (",",)
) -> Table:
    """A CSV file as a `Table`; line numbers count from the header as line 1.

    With more than one allowed delimiter the header line decides which one the file uses.
    A file with no data row after its header is refused.
    """
    text = decode_utf8(data)
    delimiter = csv_delimiter(text) if len(delimiters) > 1 else delimiters[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    broken: tuple[int, str] | None = None
    last_line = 0
    try:
        for cells in reader:
            # A quoted value may span lines; a record starts where the previous one ended.
            records.append((last_line + 1, cells))
            last_line = reader.line_num
    except csv.Error as exc:
        broken = (last_line + 1, f"format CSV rusak ({exc}).")

    hint = ""
    header = next((cells for _, cells in records if not all(map(is_blank, cells))), [])
    if ";" not in delimiters and ";" in "".join(header):
        hint = " Pemisah kolom harus koma (,)."
    table = table_from_records(records, required=required, hint=hint)
    if broken:
        table.problems.append(broken)
    if not table.rows and not table.problems:
        raise FileRefused(["Tidak ada data untuk diimpor: tidak ada baris sesudah judul kolom."])
    return table
