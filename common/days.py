"""Days for people: which one a page shows when none is asked for, and how it is written."""

import datetime as dt

from django.conf import settings
from django.utils import formats, timezone


def default_day() -> dt.date:
    """Today in Asia/Jakarta, or `DEFAULT_DAY` when set: the demo opens on its story's day (16
    April 2012), so a newcomer sees the story, not an empty today, without reading the README.

    Only what pages show by default follows it; every rule about "the future" or "today" (no
    counts ahead of today, the last day the product knows) keeps the real calendar.
    """
    return settings.DEFAULT_DAY or timezone.localdate()


def format_day(day: dt.date) -> str:
    """16 Apr 2012: the one way pages and messages write a day for people, in the active
    language (downloads and addresses use ISO, 2012-04-16)."""
    return formats.date_format(day, "j M Y")
