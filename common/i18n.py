"""Translation and number grouping for messages written by code that also runs without Django.

The readers in `common.parsing` run in the web worker and, for an XLSX, in `xlsx_reader`'s child
process. The child starts with no settings, and importing Django there would spend a good part of
its time limit, so the parent hands it the language and its number separators
(`child_language`) and the child reads the same compiled catalogue with the standard library.
Everywhere else these are Django's `gettext` and `common.formatting.fmt_int`.
"""

import gettext as stdlib_gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# Set in the child only: (catalogue, thousands separator, decimal separator).
_child: tuple[stdlib_gettext.NullTranslations, str, str] | None = None


def gettext_noop(message: str) -> str:
    """Marks a constant for the catalogue; translated with `gettext` where it is used."""
    return message


def gettext(message: str) -> str:
    if _child is not None:
        return _child[0].gettext(message)
    from django.utils.translation import gettext as django_gettext

    return django_gettext(message)


def language() -> str:
    """The active language's code, e.g. to hand to a child."""
    from django.conf import settings
    from django.utils import translation

    return translation.get_language() or settings.LANGUAGE_CODE


def separators() -> tuple[str, str]:
    """(thousands, decimal) of the active language, e.g. to hand to a child."""
    if _child is not None:
        return _child[1], _child[2]
    from common.formatting import Formatter

    formatter = Formatter.active()
    return formatter.thousand_separator, formatter.decimal_separator


def localize_number(text: str) -> str:
    """Python's '1,763.5' written with the active language's separators ('1.763,5')."""
    thousands, decimal = separators()
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_number(number: int) -> str:
    """360381 -> '360.381' in Indonesian, '360,381' in English."""
    return localize_number(f"{number:,}")


def child_language(language: str, thousands: str, decimal: str) -> None:
    """In a process without Django: translate into `language` from the project's catalogue."""
    global _child
    catalogue = stdlib_gettext.translation(
        "django", localedir=LOCALE_DIR, languages=[language], fallback=True
    )
    _child = (catalogue, thousands, decimal)
