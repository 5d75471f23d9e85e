import sqlite3

from django.apps import AppConfig
from django.conf import settings

SQLITE_INTEGER_MIN, SQLITE_INTEGER_MAX = -(2**63), 2**63 - 1


def sqlite_integer(value: int) -> int | str:
    """An integer as SQLite can take it: past 64 bits it goes as text, which equals no stored
    integer. Only a crafted address or form carries such a number (an admin filter
    `?vendor=99999999999999999999`, a ticked row in a bulk action); the driver raised
    OverflowError on it, a 500, where PostgreSQL simply finds nothing."""
    return value if SQLITE_INTEGER_MIN <= value <= SQLITE_INTEGER_MAX else str(value)


class EktpTrackerConfig(AppConfig):
    """The project package as an app: the login signal the session timeout needs, and SQLite's
    handling of integers too large for it."""

    name = "ektp_tracker"
    verbose_name = "e-KTP Tracker"

    def ready(self):
        from . import sessions  # noqa: F401  (connects the user_logged_in receiver)

        if any(db["ENGINE"].endswith("sqlite3") for db in settings.DATABASES.values()):
            sqlite3.register_adapter(int, sqlite_integer)
