"""How long printed cards wait to be handed out, and the hand-out events to watch, for the
dashboards and the alert digest.

Cards are handed out first in, first out by print batch: a hand-out consumes the oldest cards
waiting first. At a kecamatan the batches are the cards it received, by the day received; at a
regency they are the cards printed (the print office's reports), consumed by what its kecamatan
hand out. So the cards waiting more than N days as of a day are

    max(0, batches up to (as_of - N) - handed out up to as_of)

and the oldest waiting batch is the first day whose cumulative batches exceed everything handed
out. A parent never nets one child's spare hand-outs against another's waiting cards (a kecamatan
does not hand out its neighbour's cards): a regency's kecamatan, and a province's or the
nation's regencies, are each worked out on their own and then added up. An area's own figure is
the print office's at a regency and above (as its "printed, not handed out"), the received
cards' at a kecamatan.

Every read is a fixed number of queries whatever the number of areas or reports. A regency's
figures come from its card report totals per day and month (cards/services/rollups.py), which
hold its print office's printing and its kecamatan's hand-outs, so the nation reads a few rows
per regency and day instead of every report.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Left

from cards.choices import HandoutStatus
from cards.models import CardReport, HandoutEvent, RegencyCardDailyTotal
from cards.selectors import regency_total
from districts.codes import (
    CHILD_CODE_LENGTH,
    area_q,
    region_level,
)
from districts.models import Regency, SubDistrict

# Printed cards waiting longer than this are flagged. A month: the hand-out is planned once the
# regency's print runs reach the kecamatan (a week or two, with the courier and the kecamatan's
# own count), and a kecamatan usually gathers a few weeks of cards before the camat or the
# Bupati hands them out at one event; a card still waiting after 30 days has missed that cycle
# and someone should ask why.
CARD_WAITING_DAYS = 30
# Hand-out events listed on a dashboard; the rest are counted (a national page could have
# thousands).
EVENTS_LISTED = 20


@dataclass(frozen=True)
class CardAgeing:
    """An area's printed cards not handed out as of a day, first in first out: how many, how
    many of them wait more than `CARD_WAITING_DAYS` and since when the oldest waits (None:
    nothing waiting)."""

    waiting: int
    waiting_long: int
    oldest: dt.date | None

    def oldest_days(self, as_of: dt.date) -> int | None:
        return None if self.oldest is None else (as_of - self.oldest).days


NOTHING_WAITING = CardAgeing(waiting=0, waiting_long=0, oldest=None)


@dataclass(frozen=True)
class _Pool:
    """Where batches wait: one unit (a regency's print office or a kecamatan) each, the rows
    read for it (a regency's daily card totals, a kecamatan's own reports), its code on those
    rows, its batches, and the lookup from a row to its unit's code."""

    units: type[Regency] | type[SubDistrict]
    model: type[RegencyCardDailyTotal] | type[CardReport]
    rows: Q
    key: object
    batch: str
    unit_field: str

    def unit_sum(self, column: str, as_of: dt.date):
        """The sum of `column` over the unit's rows up to `as_of`, on the outer query's unit."""
        if self.model is RegencyCardDailyTotal:
            return regency_total(column, as_of)
        return Coalesce(
            Subquery(
                CardReport.objects.filter(sub_district=OuterRef("code"), date__lte=as_of)
                .order_by()
                .values("sub_district")
                .annotate(total=Sum(column))
                .values("total"),
                output_field=IntegerField(),
            ),
            0,
        )


# A regency's totals hold its print office's printing and its kecamatan's hand-outs.
REGENCY_POOL = _Pool(
    units=Regency,
    model=RegencyCardDailyTotal,
    rows=Q(),
    key=F("regency_id"),
    batch="printed",
    unit_field="regency__code",
)
SUB_DISTRICT_POOL = _Pool(
    units=SubDistrict,
    model=CardReport,
    rows=Q(sub_district__isnull=False),
    key=F("sub_district_id"),
    batch="received",
    unit_field="sub_district__code",
)


def _pool_of(area: str) -> _Pool:
    """An area's own figure: its kecamatan's received cards, else the regencies' print runs."""
    return SUB_DISTRICT_POOL if region_level(area) == 3 else REGENCY_POOL


def _units(pool: _Pool, units: Q, as_of: dt.date, days: int):
    """The pool's units `units`, each with its cards waiting and waiting more than `days`."""
    handed = pool.unit_sum("handed_out", as_of)
    batches = pool.unit_sum(pool.batch, as_of)
    old_batches = pool.unit_sum(pool.batch, as_of - dt.timedelta(days=days))
    return (
        pool.units.objects.filter(units)
        .annotate(
            unit_waiting=Greatest(batches - handed, Value(0)),
            unit_waiting_long=Greatest(old_batches - handed, Value(0)),
        )
        .order_by()
    )


def _oldest_batches(pool: _Pool, rows: Q, as_of: dt.date):
    """The rows holding each unit's oldest waiting batch (at most one per unit): the
    row where the unit's cumulative batches first exceed everything it handed out.

    A window over the unit's rows in day order: the running sum includes the day's own batch
    (one row per unit and day: a kecamatan's report, or a regency's day total, which holds its
    kecamatan's hand-outs of that day too), so the row straddles the hand-outs when the sum
    before it is at most what was handed out and the sum with it is more.
    """
    batch = Coalesce(pool.batch, 0)
    windowed = (
        pool.model.objects.filter(pool.rows, rows, date__lte=as_of)
        .annotate(
            unit=pool.key,
            batch_size=batch,
            batches_to_day=Window(Sum(batch), partition_by=[pool.key], order_by=F("date").asc()),
            handed_in_all=Window(Sum(Coalesce("handed_out", 0)), partition_by=[pool.key]),
        )
        .annotate(batches_before=F("batches_to_day") - F("batch_size"))
        .filter(batches_to_day__gt=F("handed_in_all"), batches_before__lte=F("handed_in_all"))
    )
    return pool.model.objects.filter(pk__in=windowed.values("pk")).annotate(unit=pool.key)


def _sums() -> dict:
    return {
        "waiting": Coalesce(Sum("unit_waiting"), 0),
        "waiting_long": Coalesce(Sum("unit_waiting_long"), 0),
    }


def card_ageing(*, area: str, as_of: dt.date, days: int = CARD_WAITING_DAYS) -> CardAgeing:
    """The ageing of `area` (a region code, "" for the nation) as of a day, in two queries."""
    pool = _pool_of(area)
    units = Q(code=area) if pool is SUB_DISTRICT_POOL else area_q(area, "code")
    rows = area_q(area, pool.unit_field)
    counts = _units(pool, units, as_of, days).aggregate(**_sums())
    oldest = _oldest_batches(pool, rows, as_of).aggregate(day=Min("date"))["day"]
    return CardAgeing(waiting=counts["waiting"], waiting_long=counts["waiting_long"], oldest=oldest)


def _grouped(queryset, child, sums: dict) -> dict[str, dict]:
    return {
        row.pop("child"): row
        for row in queryset.annotate(child=child).values("child").annotate(**sums).order_by()
    }


def _ageing_by(pool: _Pool, units: Q, rows: Q, child, as_of: dt.date, days: int) -> dict:
    """Each group `child` (an expression on a unit's code) of the units `units`, in two
    queries: their sums, and their oldest waiting batch."""
    counts = _grouped(_units(pool, units, as_of, days), child("code"), _sums())
    oldest = _grouped(_oldest_batches(pool, rows, as_of), child("unit"), {"day": Min("date")})
    return {
        code: CardAgeing(
            waiting=figures["waiting"],
            waiting_long=figures["waiting_long"],
            oldest=oldest.get(code, {}).get("day"),
        )
        for code, figures in counts.items()
    }


def card_ageing_by_child(
    *, area: str, as_of: dt.date, days: int = CARD_WAITING_DAYS
) -> dict[str, CardAgeing]:
    """The ageing of each child of `area` by code (children with no unit are absent: read them
    as `NOTHING_WAITING`), in two queries; none below a kecamatan. Each equals `card_ageing`
    of that child: a regency's kecamatan by their received cards, the other levels' children
    by their regencies' print runs."""
    level = region_level(area)
    if level == 3:
        return {}
    length = CHILD_CODE_LENGTH[level]

    def child(field: str) -> Left:
        return Left(field, length, output_field=CharField())

    pool = SUB_DISTRICT_POOL if level == 2 else REGENCY_POOL
    return _ageing_by(pool, area_q(area, "code"), area_q(area, pool.unit_field), child, as_of, days)


@dataclass(frozen=True)
class LongWaiting:
    """A regency's print office or a kecamatan with cards waiting more than the days."""

    code: str
    name: str
    regency_code: str
    ageing: CardAgeing


def _long_waiting(pool: _Pool, units: Q, rows: Q, as_of: dt.date, days: int) -> list:
    """The units `units` with cards waiting more than `days`, in code order, in two queries:
    each is its own group, so nothing is added up; only a unit waiting that long can have its
    oldest batch that old."""
    regency = "code" if pool is REGENCY_POOL else "regency_id"
    counts = (
        _units(pool, units, as_of, days)
        .filter(unit_waiting_long__gt=0)
        .values_list("code", "name", regency, "unit_waiting", "unit_waiting_long")
        .order_by("code")
    )
    oldest = dict(
        _oldest_batches(pool, rows, as_of)
        .filter(date__lte=as_of - dt.timedelta(days=days))
        .values_list("unit", "date")
    )
    return [
        LongWaiting(
            code=code,
            name=name,
            regency_code=regency_code,
            ageing=CardAgeing(waiting=waiting, waiting_long=waiting_long, oldest=oldest.get(code)),
        )
        for code, name, regency_code, waiting, waiting_long in counts
    ]


def long_waiting_in_regencies(
    *, codes: list[str], as_of: dt.date, days: int = CARD_WAITING_DAYS
) -> tuple[list[LongWaiting], list[LongWaiting]]:
    """For the alerts: the regencies in `codes` whose print runs wait more than `days`, and
    their kecamatan whose received cards do, in four queries for all of them."""
    regencies = _long_waiting(REGENCY_POOL, Q(code__in=codes), Q(regency__in=codes), as_of, days)
    kecamatan = _long_waiting(
        SUB_DISTRICT_POOL,
        Q(regency__in=codes),
        Q(sub_district__regency__in=codes),
        as_of,
        days,
    )
    return regencies, kecamatan


# --- Hand-out events --------------------------------------------------------------------------


def _handout_groups(as_of: dt.date, days: int) -> dict[str, Q]:
    """The hand-out events a dashboard shows as of a day, by the group they are shown in, most
    urgent first. Statuses are today's, except that an event held after the day was still to
    come on it; an event scheduled after the day is shown as it stands today."""
    pending = Q(status=HandoutStatus.PLANNED) | Q(status=HandoutStatus.HELD, held_on__gt=as_of)
    return {
        "overdue": pending & Q(planned_on__lt=as_of),
        "postponed": Q(status=HandoutStatus.POSTPONED),
        "undated": pending & Q(planned_on__isnull=True),
        "upcoming": pending & Q(planned_on__gte=as_of),
        "held": Q(
            status=HandoutStatus.HELD,
            held_on__lte=as_of,
            held_on__gt=as_of - dt.timedelta(days=days),
        ),
    }


def _events_grouped(events, as_of: dt.date, days: int):
    groups = _handout_groups(as_of, days)
    return events.annotate(
        group=Case(
            *(When(condition, then=Value(name)) for name, condition in groups.items()),
            output_field=CharField(),
        ),
        rank=Case(
            *(When(condition, then=Value(n)) for n, condition in enumerate(groups.values())),
            output_field=IntegerField(),
        ),
    ).filter(rank__isnull=False)


def handout_events_shown(*, area: str, as_of: dt.date, days: int = CARD_WAITING_DAYS):
    """The area's hand-out events a dashboard shows (overdue, postponed, undated, upcoming,
    held within `days`), most urgent first, each with its `group`."""
    events = HandoutEvent.objects.filter(area_q(area)).select_related("sub_district")
    return _events_grouped(events, as_of, days).order_by(
        "rank", "planned_on", "-held_on", "sub_district", "id"
    )


def handout_event_counts(*, area: str, as_of: dt.date, days: int = CARD_WAITING_DAYS) -> dict:
    """How many of the area's events are in each shown group, and in all, in one query."""
    groups = _handout_groups(as_of, days)
    counts = (
        HandoutEvent.objects.filter(area_q(area))
        .order_by()
        .aggregate(
            **{name: Count("pk", filter=condition) for name, condition in groups.items()},
        )
    )
    counts["all"] = sum(counts.values())  # the groups do not overlap
    return counts


def handout_alert_events(*, codes: list[str], as_of: dt.date, days: int = CARD_WAITING_DAYS):
    """For the alerts, in one query: the regencies' events postponed, overdue, or without a
    day and recorded more than `days` before `as_of`."""
    groups = _handout_groups(as_of, days)
    stale_undated = groups["undated"] & Q(created_at__date__lt=as_of - dt.timedelta(days=days))
    return (
        _events_grouped(
            HandoutEvent.objects.filter(sub_district__regency__in=codes).filter(
                groups["overdue"] | groups["postponed"] | stale_undated
            ),
            as_of,
            days,
        )
        .select_related("sub_district")
        .order_by("rank", "planned_on", "created_at", "id")
    )


class WaitingAndHandouts:
    """The dashboard's cards waiting and hand-out events, read when the template first asks
    (an export of the same page never does, and pays no query for them)."""

    def __init__(self, *, area: str, as_of: dt.date, children):
        self.area = area
        self.as_of = as_of
        self.level = region_level(area)
        self._children = children  # the dashboard's child areas (code, name, url)
        self.days = CARD_WAITING_DAYS

    @cached_property
    def ageing(self) -> CardAgeing:
        return card_ageing(area=self.area, as_of=self.as_of)

    @property
    def oldest_days(self) -> int | None:
        return self.ageing.oldest_days(self.as_of)

    @cached_property
    def children_waiting(self) -> list[tuple[object, CardAgeing, int]]:
        """The child areas with cards waiting more than the days, oldest first."""
        if self.level == 3:
            return []
        ageing = card_ageing_by_child(area=self.area, as_of=self.as_of)
        rows = [
            (child, figures, figures.oldest_days(self.as_of))
            for child in self._children
            if (figures := ageing.get(child.code, NOTHING_WAITING)).waiting_long
        ]
        return sorted(rows, key=lambda row: (row[1].oldest, row[0].code))

    @cached_property
    def events(self) -> list:
        return list(handout_events_shown(area=self.area, as_of=self.as_of)[:EVENTS_LISTED])

    @cached_property
    def event_counts(self) -> dict:
        return handout_event_counts(area=self.area, as_of=self.as_of)

    @property
    def events_more(self) -> int:
        return max(self.event_counts["all"] - len(self.events), 0)

    @property
    def may_open_events(self) -> bool:
        """The hand-out page takes a regency or a kecamatan."""
        return self.level >= 2


def waiting_and_handouts(*, area: str, as_of: dt.date, children) -> dict:
    """The dashboard context of `templates/cards/_waiting_and_handouts.html`."""
    return {"card_waiting": WaitingAndHandouts(area=area, as_of=as_of, children=children)}
