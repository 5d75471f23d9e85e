"""Checks every app applies to what users type, upload or put in an address.

Text with a control character is refused rather than cleaned: NUL cannot be stored at all in
PostgreSQL (a 500 before this), and the others are invisible on the page, so a value that looks
right would not match what is stored.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .days import format_day
from .text import control_character

# e-KTP recording began in 2011; nothing the product keeps or shows is older than 2010. The
# last known day is the end of next year: later than any deadline or report, early enough that
# date arithmetic on it (weeks, months ahead) never leaves the calendar.
EARLIEST_DAY = dt.date(2010, 1, 1)


def latest_day() -> dt.date:
    return dt.date(timezone.localdate().year + 1, 12, 31)


def validate_no_control_characters(value) -> None:
    if isinstance(value, str) and (character := control_character(value)):
        raise ValidationError(
            _(
                "Berisi karakter kontrol %(character)s yang tidak terlihat dan tidak boleh "
                "disimpan; hapus karakter itu (ketik ulang isinya)."
            ),
            code="control_character",
            params={"character": character},
        )


def known_day_error(day: dt.date) -> str | None:
    """Why `day` is outside the days the product knows, or None when it is inside."""
    latest = latest_day()
    if EARLIEST_DAY <= day <= latest:
        return None
    return str(
        _("Tanggal %(day)s di luar rentang yang dikenal aplikasi (%(first)s sampai %(last)s).")
        % {
            "day": day.isoformat(),
            "first": format_day(EARLIEST_DAY),
            "last": format_day(latest),
        }
    )


def validate_known_day(value) -> None:
    if isinstance(value, dt.date) and (error := known_day_error(value)):
        raise ValidationError(error, code="unknown_day")
