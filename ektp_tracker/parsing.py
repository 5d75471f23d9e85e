"""Reading values the way Indonesian offices write them, with messages an operator understands.

Shared by every import (eligible populations, daily counts) and the entry form, so `1.234`,
`16/04/2012` and Excel's own numbers and dates mean the same everywhere.
"""

import datetime as dt
import re
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
