"""Reads of the card journey's figures for an area (the nation "", a province, a regency or a
kecamatan) as of a day, computed in the database in a fixed number of queries.

Regency figures (print-ready … suket, blanko) belong to regencies and add up to provinces and
the nation; a kecamatan has none of them (None). Received and handed out add up from the
kecamatan. Every total is the sum of its children's, blanko needed included: it is summed
per regency, as one regency's spare blanko does not print another's backlog until it is
transferred.

Suket outstanding (the temporary letters still in residents' hands) is an estimate, as no
report counts the sukets a printed card replaces. A suket is given to a resident whose record
is print-ready while the card waits for blanko, and the card, once printed, replaces it; the
print office prints the oldest records first (first in, first out), so the sukets still out
are those of the records still waiting: per regency, the smaller of the sukets issued up to
the day and the print-ready records not printed (never below 0). It is summed per regency like
blanko needed: one regency's printing does not replace another's sukets.

The nation and a province add their regencies' card report totals (cards/services/rollups.py):
whole months from the month totals, the days of the day's month from the day totals; a regency
and a kecamatan read their own reports, which are few.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    CharField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Left

from cards.choices import FIGURE_COLUMNS, REGENCY_COLUMNS, MovementKind
from cards.models import (
    BlankoMovement,
    BlankoStock,
    CardReport,
    RegencyCardDailyTotal,
    RegencyCardMonthlyTotal,
)
from districts.codes import CHILD_CODE_LENGTH, area_q, region_level
from districts.models import Province, Regency, SubDistrict
from recording.services.rollups import month_start

# The blanko use rate is the average of the last four weeks: long enough to smooth a day
# without printing, short enough to follow a new printer or a blanko shortage.
USE_WINDOW_DAYS = 28


@dataclass(frozen=True)
class CardFigures:
    """An area's card figures as of a day; None where the area's level has no such figure or
    it cannot be computed."""

    print_ready: int | None
    duplicates: int | None
    failed: int | None
    printed: int | None
    spoiled: int | None
    suket_issued: int | None
    received: int
    handed_out: int
    print_ready_backlog: int | None
    awaiting_handout: int
    at_kecamatan: int
    blanko_stock: int | None
    blanko_used_28_days: int | None
    blanko_daily_use: float | None
    blanko_days_left: int | None
    blanko_needed: int | None
    suket_outstanding: int | None  # an estimate (see the module's docstring)

    @property
    def call_back(self) -> int | None:
        """Residents to call back: their recording came back a duplicate or failed."""
        if self.duplicates is None:
            return None
        return self.duplicates + self.failed


def _total(column: str, where: Q) -> Coalesce:
    return Coalesce(Sum(column, filter=where), 0)


def _regency_sum(queryset, expression) -> Subquery:
    """A regency's total of `expression` over `queryset`, as a subquery on the regency."""
    return Coalesce(
        Subquery(
            queryset.filter(regency=OuterRef("code"))
            .values("regency")
            .annotate(total=Sum(expression))
            .values("total")
        ),
        0,
        output_field=IntegerField(),
    )


def _rollup_parts(regencies: Q, as_of: dt.date):
    """The card totals of `regencies` (a Q on a total's regency) up to `as_of`: the month
    totals of the whole months before its month, and the day totals of its month."""
    this_month = month_start(as_of)
    return (
        RegencyCardMonthlyTotal.objects.filter(regencies, month__lt=this_month).order_by(),
        RegencyCardDailyTotal.objects.filter(regencies, date__range=(this_month, as_of)).order_by(),
    )


def regency_total(expression, as_of: dt.date):
    """A regency's total of `expression` (over its card totals' columns) up to `as_of`, as a
    subquery on the outer query's regency `code`."""
    months, days = _rollup_parts(Q(), as_of)
    return _regency_sum(months, expression) + _regency_sum(days, expression)


def _rollup_grouped(regencies: Q, as_of: dt.date, child, sums: dict) -> dict:
    """`sums` over the card totals of `regencies` up to `as_of`, per `child` (an expression on
    a total's row), in one query: the whole months' and the days' groups, added here."""
    grouped = [
        part.annotate(child=child).values("child").annotate(**sums)
        for part in _rollup_parts(regencies, as_of)
    ]
    totals: dict[str, dict] = {}
    for row in grouped[0].union(grouped[1], all=True):
        code = row.pop("child")
        if code in totals:
            totals[code] = {name: totals[code][name] + value for name, value in row.items()}
        else:
            totals[code] = row
    return totals


# Named apart from the totals' columns, which an annotation may not shadow.
ROLLUP_SUMS = {f"sum_{column}": Coalesce(Sum(column), 0) for column in FIGURE_COLUMNS}


def _rollup_totals(area: str, as_of: dt.date, child) -> dict[str, dict]:
    """Each column's sum over the regencies of `area` up to `as_of`, per `child`."""
    return {
        code: {column: row[f"sum_{column}"] for column in FIGURE_COLUMNS}
        for code, row in _rollup_grouped(
            area_q(area, "regency__code"), as_of, child, ROLLUP_SUMS
        ).items()
    }


def _backlogs(area: str, as_of: dt.date, length: int = 0) -> dict[str, dict]:
    """Per child (the first `length` characters of a regency's code; "" for `area` itself): the
    print-ready records not printed that each regency's stock cannot cover (`needed`) and its
    estimated sukets outstanding (`suket_out`), each worked out per regency and then added up
    (see the module's docstring).

    One query: the regencies' card totals (whole months, the month's days) and blanko ledger
    grouped by regency, in a union; the few hundred regency rows are worked out here. (A
    correlated subquery per regency was as exact, but PostgreSQL's estimate of it made it
    compile the query (JIT) for most of a second on every national page.)
    """
    regencies = area_q(area, "regency__code")
    zero = Value(0, output_field=IntegerField())
    parts = [
        rows.values("regency_id").annotate(
            backlog=Sum(F("print_ready") - F("printed")), suket=Sum("suket_issued"), stock=zero
        )
        for rows in _rollup_parts(regencies, as_of)
    ]
    parts.append(
        BlankoMovement.objects.filter(regencies, date__lte=as_of)
        .order_by()
        .values("regency_id")
        .annotate(backlog=zero, suket=zero, stock=Sum("quantity"))
    )
    per_regency: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in parts[0].union(*parts[1:], all=True):
        totals = per_regency[row["regency_id"]]
        for index, name in enumerate(("backlog", "suket", "stock")):
            totals[index] += row[name]
    sums: dict[str, dict] = defaultdict(lambda: {"needed": 0, "suket_out": 0})
    for code, (backlog, suket, stock) in per_regency.items():
        child = sums[code[:length]]
        child["needed"] += max(backlog - stock, 0)
        child["suket_out"] += min(suket, max(backlog, 0))
    return sums


def _report_totals(area: str, as_of: dt.date) -> tuple[Q, Q, dict]:
    """The rows of the regency and kecamatan reports of `area`, and the sum of each column
    over the rows of its level (as aggregate expressions)."""
    regency_rows = Q(regency__isnull=False) & area_q(area, "regency__code")
    kecamatan_rows = Q(sub_district__isnull=False) & area_q(area, "sub_district__code")
    sums = {
        column: _total(column, regency_rows if column in REGENCY_COLUMNS else kecamatan_rows)
        for column in FIGURE_COLUMNS
    }
    return regency_rows, kecamatan_rows, sums


def _blanko_sums(as_of: dt.date) -> dict:
    window_start = as_of - dt.timedelta(days=USE_WINDOW_DAYS - 1)
    return {
        "stock": _total("quantity", Q()),
        "used": _total(F("quantity") * -1, Q(kind=MovementKind.USE, date__gte=window_start)),
    }


def _days_left(stock: int, used: int) -> int | None:
    """Days the stock lasts at the last four weeks' rate of use (printed + spoiled); None
    without any use in those weeks: the stock then lasts for ever, which is no number of days."""
    return stock * USE_WINDOW_DAYS // used if used else None


def _kecamatan_figures(totals: dict) -> CardFigures:
    """A kecamatan has no print office nor blanko: its cards waiting are those it received."""
    received, handed_out = totals["received"], totals["handed_out"]
    return CardFigures(
        **dict.fromkeys(REGENCY_COLUMNS),
        received=received,
        handed_out=handed_out,
        print_ready_backlog=None,
        awaiting_handout=received - handed_out,
        at_kecamatan=received - handed_out,
        blanko_stock=None,
        blanko_used_28_days=None,
        blanko_daily_use=None,
        blanko_days_left=None,
        blanko_needed=None,
        suket_outstanding=None,
    )


def _regency_figures(totals: dict, blanko: dict, backlogs: dict) -> CardFigures:
    received, handed_out = totals["received"], totals["handed_out"]
    stock, used = blanko["stock"], blanko["used"]
    return CardFigures(
        **{column: totals[column] for column in REGENCY_COLUMNS},
        received=received,
        handed_out=handed_out,
        print_ready_backlog=totals["print_ready"] - totals["printed"],
        awaiting_handout=totals["printed"] - handed_out,
        at_kecamatan=received - handed_out,
        blanko_stock=stock,
        blanko_used_28_days=used,
        blanko_daily_use=used / USE_WINDOW_DAYS,
        blanko_days_left=_days_left(stock, used),
        blanko_needed=backlogs["needed"],
        suket_outstanding=backlogs["suket_out"],
    )


def card_figures(*, area: str, as_of: dt.date) -> CardFigures:
    """The figures of `area` (a region code, "" for the nation) up to and including `as_of`.

    Three queries whatever the area or the number of reports: the nation and a province add
    their regencies' card totals, a regency and a kecamatan their own reports.
    """
    if region_level(area) < 2:
        totals = _rollup_totals(area, as_of, Value("")).get("", dict.fromkeys(FIGURE_COLUMNS, 0))
    else:
        regency_rows, kecamatan_rows, sums = _report_totals(area, as_of)
        totals = (
            CardReport.objects.filter(date__lte=as_of)
            .filter(regency_rows | kecamatan_rows)
            .order_by()
            .aggregate(**sums)
        )
    if region_level(area) == 3:
        return _kecamatan_figures(totals)
    blanko = (
        BlankoMovement.objects.filter(area_q(area, "regency__code"), date__lte=as_of)
        .order_by()
        .aggregate(**_blanko_sums(as_of))
    )
    backlogs = _backlogs(area, as_of)[""]
    return _regency_figures(totals, blanko, backlogs)


def _grouped(queryset, child, sums: dict) -> dict[str, dict]:
    """`sums` per child code (`child`, an expression on the rows), in one query."""
    return {
        row.pop("child"): row
        for row in queryset.annotate(child=child).values("child").annotate(**sums).order_by()
    }


def card_figures_by_child(
    *, area: str, as_of: dt.date, codes: list[str] | None = None
) -> dict[str, CardFigures]:
    """The figures of each child of `area` (provinces, regencies or kecamatan) as of the day,
    by child code: three queries grouped by the child's code, whatever the number of children;
    none below a kecamatan. Each child's figures equal `card_figures` of that child. `codes`:
    the children's codes when the caller has them (else one more query reads them).
    """
    level = region_level(area)
    if level == 3:
        return {}
    length = CHILD_CODE_LENGTH[level]
    codes = child_codes(area) if codes is None else codes
    empty = dict.fromkeys(FIGURE_COLUMNS, 0)
    if level == 2:
        _, kecamatan_rows, sums = _report_totals(area, as_of)
        reports = CardReport.objects.filter(date__lte=as_of, sub_district__isnull=False)
        totals = _grouped(reports.filter(kecamatan_rows), F("sub_district_id"), sums)
        return {code: _kecamatan_figures(totals.get(code, empty)) for code in codes}
    totals = _rollup_totals(area, as_of, Left("regency_id", length, output_field=CharField()))
    blanko = _grouped(
        BlankoMovement.objects.filter(area_q(area, "regency__code"), date__lte=as_of),
        Left("regency_id", length, output_field=CharField()),
        _blanko_sums(as_of),
    )
    backlogs = _backlogs(area, as_of, length)
    return {
        code: _regency_figures(
            totals.get(code, empty),
            blanko.get(code, {"stock": 0, "used": 0}),
            backlogs.get(code, {"needed": 0, "suket_out": 0}),
        )
        for code in codes
    }


@dataclass(frozen=True)
class CardDayPoint:
    """An area's card figures added up from its first report to the end of a day."""

    date: dt.date
    print_ready: int
    printed: int
    received: int
    handed_out: int


SERIES_COLUMNS = ("print_ready", "printed", "received", "handed_out")


def card_series(*, area: str, start: dt.date, end: dt.date) -> list[CardDayPoint]:
    """The cumulative card figures of `area` at the end of each day from `start` to `end` that
    has reports, in one query grouped by day. Reports before `start` count in `start`'s point,
    so every point is the total from the first report on (print figures are 0 on a kecamatan).
    The nation and a province add their regencies' card totals (whole months before `start`'s
    month), a regency and a kecamatan their own reports.
    """
    first_day = Value(start, output_field=DateField())
    if region_level(area) < 2:
        month = month_start(start)
        regencies = area_q(area, "regency__code") & Q(reports__gt=0)
        sums = {column: Coalesce(Sum(column), 0) for column in SERIES_COLUMNS}
        parts = [
            rows.annotate(day=day)
            .values("day")
            .annotate(**{f"sum_{c}": s for c, s in sums.items()})
            for rows, day in (
                (RegencyCardMonthlyTotal.objects.filter(regencies, month__lt=month), first_day),
                (
                    RegencyCardDailyTotal.objects.filter(regencies, date__range=(month, end)),
                    Greatest("date", first_day),
                ),
            )
        ]
        per_day: dict[dt.date, dict] = {}
        for row in parts[0].order_by().union(parts[1].order_by(), all=True):
            totals = per_day.setdefault(row["day"], dict.fromkeys(SERIES_COLUMNS, 0))
            for column in SERIES_COLUMNS:
                totals[column] += row[f"sum_{column}"]
        rows = [{"day": day, **totals} for day, totals in sorted(per_day.items())]
    else:
        regency_rows, kecamatan_rows, sums = _report_totals(area, end)
        rows = (
            CardReport.objects.filter(date__lte=end)
            .filter(regency_rows | kecamatan_rows)
            .annotate(day=Greatest("date", first_day))
            .values("day")
            .annotate(**{column: sums[column] for column in SERIES_COLUMNS})
            .order_by("day")
        )
    points, running = [], dict.fromkeys(SERIES_COLUMNS, 0)
    for row in rows:  # a running sum of at most two years of days, not of the reports
        running = {column: running[column] + row[column] for column in SERIES_COLUMNS}
        points.append(CardDayPoint(date=row["day"], **running))
    return points


def child_codes(area: str) -> list[str]:
    """The codes of an area's children, in code order (none below a kecamatan)."""
    level = region_level(area)
    if level == 0:
        return list(Province.objects.values_list("code", flat=True))
    if level == 1:
        return list(Regency.objects.filter(province=area).values_list("code", flat=True))
    if level == 2:
        return list(SubDistrict.objects.filter(regency=area).values_list("code", flat=True))
    return []


@dataclass(frozen=True)
class BlankoStanding:
    """A regency's blanko as of a day, for the alerts: its stock, the level at which it asks
    for more (None: not set), and the days the stock lasts (None: nothing used lately)."""

    stock: int
    reorder_point: int | None
    days_left: int | None


def blanko_standings(*, codes: list[str], as_of: dt.date) -> dict[str, BlankoStanding]:
    """The blanko of each regency in `codes` that has a ledger, by code, in two queries."""
    sums = _grouped(
        BlankoMovement.objects.filter(regency__in=codes, date__lte=as_of),
        F("regency_id"),
        _blanko_sums(as_of),
    )
    points = dict(
        BlankoStock.objects.filter(regency__in=codes).values_list("regency_id", "reorder_point")
    )
    return {
        code: BlankoStanding(
            stock=sums.get(code, {}).get("stock", 0),
            reorder_point=points.get(code),
            days_left=_days_left(
                sums.get(code, {}).get("stock", 0), sums.get(code, {}).get("used", 0)
            ),
        )
        for code in sorted(set(sums) | set(points))
    }
