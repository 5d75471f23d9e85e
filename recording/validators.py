"""Input rules written once for the model, the database, every form, upload and URL: what a device
serial may be and how long a note may get."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A note on a count or a status change, wherever it is typed or uploaded.
NOTE_MAX_LENGTH = 200

# Letters, digits, `-`, `.` and `_`, starting with a letter or digit: a serial is written in
# files and typed by operators, and is part of the device's address (`/alat/<serial>/`), where
# `/`, `%`, spaces or a leading `.` (`..` is "the folder above" to a browser) would break it.
SERIAL_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
# `\A...\Z` (not `^...$`): the same in Python and in PostgreSQL, and no trailing newline slips by.
SERIAL_REGEX = rf"\A{SERIAL_PATTERN}\Z"
SERIAL_HELP = _(
    "Huruf, angka, tanda hubung (-), titik (.) dan garis bawah (_) saja, diawali huruf atau "
    "angka; mis. OKUT-BMT-01."
)

validate_serial = RegexValidator(
    SERIAL_REGEX,
    message=_(
        "Nomor seri hanya boleh berisi huruf, angka, tanda hubung (-), titik (.) dan garis "
        "bawah (_), dan diawali huruf atau angka."
    ),
    code="invalid_serial",
)


class SerialConverter:
    """`<serial:serial>` in a URL: exactly the serials the rule allows."""

    regex = SERIAL_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
