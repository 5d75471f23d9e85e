"""Reads of approvals: which regency months are locked, by whom and since when.

This module reads only its own tables (and the user and regency names through them), so the
count and repair services of `recording` can ask it without importing anything above them.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext

from common.days import format_day

from .models import PeriodApproval


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month that `month` (any day of it) lies in."""
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def format_month(month: dt.date) -> str:
    """April 2012, in the active language."""
    return formats.date_format(month, "F Y")


def user_label(first_name: str, last_name: str, username: str) -> str:
    full = f"{first_name} {last_name}".strip()
    return f"{full} ({username})" if full else username


@dataclass(frozen=True)
class PeriodLock:
    """A regency month under a live approval: who approved it and when."""

    regency: str
    regency_name: str
    month: dt.date
    approved_by: str
    approved_at: dt.datetime

    @property
    def message(self) -> str:
        return gettext(
            "Bulan %(month)s %(regency)s sudah disetujui oleh %(user)s pada %(when)s; minta "
            "pembukaan kunci."
        ) % {
            "month": format_month(self.month),
            "regency": self.regency_name,
            "user": self.approved_by,
            "when": format_day(timezone.localdate(self.approved_at)),
        }


def period_locks(days: Iterable[tuple[str, dt.date]]) -> dict[tuple[str, dt.date], PeriodLock]:
    """The locked months among (regency code, day) pairs, keyed by (regency code, first day of
    the month). One query; none when there are no pairs."""
    wanted = {(regency, month_start(day)) for regency, day in days}
    if not wanted:
        return {}
    rows = (
        PeriodApproval.objects.filter(
            unlocked_at__isnull=True,
            regency__in={regency for regency, _month in wanted},
            month__in={month for _regency, month in wanted},
        )
        .values_list(
            "regency_id",
            "regency__name",
            "month",
            "approved_by__first_name",
            "approved_by__last_name",
            "approved_by__username",
            "approved_at",
        )
        .order_by()
    )
    locks = {}
    for regency, name, month, first, last, username, approved_at in rows:
        if (regency, month) in wanted:
            locks[(regency, month)] = PeriodLock(
                regency, name, month, user_label(first, last, username), approved_at
            )
    return locks
