"""The one rule behind "never negative, on any day": a running balance by day.

The blanko stock of a regency and the cards waiting at a kecamatan are both running sums of
daily movements. A change on a past day moves every later day's balance too, so a change is
checked against the balance at the end of its own day and of every day after it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable

Key = Hashable


def balances_after(
    day_sums: Iterable[tuple[Key, dt.date, int]], changes: dict[tuple[Key, dt.date], int]
) -> dict[Key, list[tuple[dt.date, int]]]:
    """For each key with a change: (day, end-of-day balance) for its first changed day and
    every later day with a movement, once `changes` (key, day → amount added) are applied to
    the stored `day_sums` (key, day, net amount of that day)."""
    first_change: dict[Key, dt.date] = {}
    for key, day in changes:
        first_change[key] = min(day, first_change.get(key, day))
    by_key: dict[Key, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for key, day, amount in day_sums:
        if key in first_change:
            by_key[key][day] += amount or 0
    for (key, day), amount in changes.items():
        by_key[key][day] += amount
    result: dict[Key, list[tuple[dt.date, int]]] = {}
    for key, first in first_change.items():
        balance, days = 0, []
        for day, amount in sorted(by_key[key].items()):
            balance += amount
            if day >= first:
                days.append((day, balance))
        result[key] = days
    return result


def lowest_from(balances: list[tuple[dt.date, int]], day: dt.date) -> tuple[dt.date, int] | None:
    """The day (the earliest, on a tie) with the lowest balance on or after `day`."""
    later = [entry for entry in balances if entry[0] >= day]
    return min(later, key=lambda entry: (entry[1], entry[0])) if later else None
