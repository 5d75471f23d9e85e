"""Reads of the card journey's figures for an area (the nation "", a province, a regency or a
kecamatan) as of a day, computed in the database in a fixed number of queries.

Regency figures (print-ready … suket, blanko) belong to regencies and add up to provinces and
the nation; a kecamatan has none of them (None). Received and handed out add up from the
kecamatan. Every total is the sum of its children's, blanko needed included: it is summed
per regency, as one regency's spare blanko does not print another's backlog until it is
transferred.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from cards.choices import FIGURE_COLUMNS, REGENCY_COLUMNS, MovementKind
from cards.models import BlankoMovement, CardReport
from districts.codes import area_q, region_level
from districts.models import Province, Regency, SubDistrict

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


def _blanko_needed(area: str, as_of: dt.date) -> int:
    """The print-ready records not printed that each regency's stock cannot cover, summed."""
    reports = CardReport.objects.filter(regency__isnull=False, date__lte=as_of).order_by()
    movements = BlankoMovement.objects.filter(date__lte=as_of).order_by()
    shortfall = Greatest(
        _regency_sum(reports, Coalesce("print_ready", 0) - Coalesce("printed", 0))
        - _regency_sum(movements, "quantity"),
        Value(0),
    )
    return (
        Regency.objects.filter(area_q(area, "code"))
        .annotate(shortfall=shortfall)
        .aggregate(total=Coalesce(Sum("shortfall"), 0))["total"]
    )


def card_figures(*, area: str, as_of: dt.date) -> CardFigures:
    """The figures of `area` (a region code, "" for the nation) up to and including `as_of`.

    Three queries whatever the area or the number of reports.
    """
    is_kecamatan = region_level(area) == 3
    regency_rows = Q(regency__isnull=False) & area_q(area, "regency__code")
    kecamatan_rows = Q(sub_district__isnull=False) & area_q(area, "sub_district__code")
    totals = (
        CardReport.objects.filter(date__lte=as_of)
        .filter(regency_rows | kecamatan_rows)
        .aggregate(
            **{
                column: _total(
                    column, regency_rows if column in REGENCY_COLUMNS else kecamatan_rows
                )
                for column in FIGURE_COLUMNS
            }
        )
    )
    received, handed_out = totals["received"], totals["handed_out"]
    if is_kecamatan:
        # A kecamatan has no print office nor blanko: its cards waiting are those it received.
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
        )
    window_start = as_of - dt.timedelta(days=USE_WINDOW_DAYS - 1)
    blanko = (
        BlankoMovement.objects.filter(area_q(area, "regency__code"), date__lte=as_of)
        .order_by()
        .aggregate(
            stock=_total("quantity", Q()),
            used=_total(F("quantity") * -1, Q(kind=MovementKind.USE, date__gte=window_start)),
        )
    )
    stock, used = blanko["stock"], blanko["used"]
    daily_use = used / USE_WINDOW_DAYS
    return CardFigures(
        **{column: totals[column] for column in REGENCY_COLUMNS},
        received=received,
        handed_out=handed_out,
        print_ready_backlog=totals["print_ready"] - totals["printed"],
        awaiting_handout=totals["printed"] - handed_out,
        at_kecamatan=received - handed_out,
        blanko_stock=stock,
        blanko_used_28_days=used,
        blanko_daily_use=daily_use,
        # No printing in four weeks: the stock lasts for ever, which is no number of days.
        blanko_days_left=stock * USE_WINDOW_DAYS // used if used else None,
        blanko_needed=_blanko_needed(area, as_of),
    )


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
