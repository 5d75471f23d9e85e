"""Numbers and dates for people, in the active language: 360.381; 81,4%; 16 Apr 2012 in
Indonesian, 360,381; 81.4%; 16 Apr 2012 in English. Tables, charts, exports and messages all
format through here.

(The file readers' messages, some written in a child process without Django, group numbers
through `common.i18n.format_number`, which is this formatter wherever Django runs.)
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats, translation

EMPTY = "—"


class Formatter:
    """Numbers and dates in one language (360.381; 81,4%; 16 Apr 2012), looked up once.

    A dashboard formats hundreds of cells and chart labels. Django's number and date helpers
    look the active language up anew for every value (a context-local read that costs more than
    the formatting), so a table or chart takes one formatter for its language and reuses it.
    """

    _by_language: dict[str, "Formatter"] = {}

    def __init__(self, language: str):
        self.language = language
        self.decimal_separator = str(formats.get_format("DECIMAL_SEPARATOR", language))
        self.thousand_separator = str(formats.get_format("THOUSAND_SEPARATOR", language))
        self._days: dict[tuple, str] = {}

    @classmethod
    def active(cls) -> "Formatter":
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in cls._by_language:
            cls._by_language[language] = cls(language)
        return cls._by_language[language]

    def _localize(self, text: str) -> str:
        """'1,763.6' (Python's grouping) -> '1.763,6' in Indonesian."""
        return (
            text.replace(",", "\0")
            .replace(".", self.decimal_separator)
            .replace("\0", self.thousand_separator)
        )

    def int(self, value) -> str:
        return EMPTY if value is None else self._localize(f"{int(value):,}")

    def decimal(self, value, places: int = 1) -> str:
        """Rounded half up (Django's number_format would truncate)."""
        if value is None:
            return EMPTY
        rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return self._localize(f"{rounded:,.{places}f}")

    def percent(self, value) -> str:
        return EMPTY if value is None else f"{self.decimal(value, 1)}%"

    def day(self, value: dt.date | None, fmt: str = "j M Y") -> str:
        """Pages repeat the same few dates: each is formatted once per format."""
        if value is None:
            return EMPTY
        key = (value, fmt)
        if key not in self._days:
            if len(self._days) > 5_000:
                self._days.clear()
            with translation.override(self.language):
                self._days[key] = formats.date_format(value, fmt)
        return self._days[key]


def fmt_int(value) -> str:
    """360381 -> "360.381" in the active language."""
    return Formatter.active().int(value)


def fmt_changes(created: int, updated: int, unchanged: int, *, grouped: bool = True) -> str:
    """What an import did, for its messages: "3 baru, 1 diperbarui, 1.200 tetap" (`grouped`:
    the region and population commands have always printed their counts without grouping)."""
    number = fmt_int if grouped else str
    return translation.gettext("%(created)s baru, %(updated)s diperbarui, %(unchanged)s tetap") % {
        "created": number(created),
        "updated": number(updated),
        "unchanged": number(unchanged),
    }


def fmt_decimal(value, places: int = 1) -> str:
    """1763.57 -> "1.763,6" in the active language."""
    return Formatter.active().decimal(value, places)


def fmt_percent(value) -> str:
    return Formatter.active().percent(value)


def fmt_day(value: dt.date | None, fmt: str = "j M Y") -> str:
    return Formatter.active().day(value, fmt)
