"""The card report totals as stored, and the reports added up row by row in Python, for tests
to compare."""

from collections import defaultdict

from cards.choices import FIGURE_COLUMNS
from cards.models import CardReport, RegencyCardDailyTotal, RegencyCardMonthlyTotal

# The stored columns: the figures of both levels, and the number of reports.
COLUMNS = (*FIGURE_COLUMNS, "reports")


def raw_sums() -> tuple[dict, dict]:
    """The reports added up here, row by row, per (regency, day) and per (regency, month)."""
    days, months = defaultdict(lambda: [0] * 9), defaultdict(lambda: [0] * 9)
    for report in CardReport.objects.all():
        regency = report.regency_id or report.sub_district_id[:5]
        values = [getattr(report, column) or 0 for column in COLUMNS[:-1]] + [1]
        for totals in (days[(regency, report.date)], months[(regency, report.date.replace(day=1))]):
            for index, value in enumerate(values):
                totals[index] += value
    return {k: tuple(v) for k, v in days.items()}, {k: tuple(v) for k, v in months.items()}


def stored_sums() -> tuple[dict, dict]:
    return tuple(
        {
            (regency, day): tuple(values)
            for regency, day, *values in model.objects.values_list("regency", field, *COLUMNS)
            if any(values)
        }
        for model, field in ((RegencyCardDailyTotal, "date"), (RegencyCardMonthlyTotal, "month"))
    )
