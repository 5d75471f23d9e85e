"""Reporting completeness: of the daily reports an area's stations owed over a period, how many
came in, and how many came in on time.

A station owes a report for a day when it is in service that day: commissioned on or before
it, and working on it by its dated status timeline (a broken station, one at the vendor or a
retired one owes nothing: the same rule as "belum lapor", `DeviceStatus.expected_to_report`).
A report is on time when it was first saved by `REPORT_ON_TIME_HOUR` o'clock (WIB) of the next
day; a later correction does not make it late, as the figure was there when it was needed. A
report from a station on a day it owed none (it recorded in the morning and broke in the
afternoon) is not counted: completeness can then never pass 100%.

Everything is grouped by child area (provinces, regencies, kecamatan; the stations of a
kecamatan) in the database, except the walk through the status timeline, which has rows only
for the stations that ever changed status (a few per station that failed).
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Greatest, Left
from django.utils import timezone

from districts.codes import CHILD_CODE_LENGTH, area_q, region_level
from recording.choices import DeviceStatus
from recording.coverage import Completeness
from recording.models import DailyCount, DeviceStatusChange, RecordingDevice

# The dashboards' and exports' period: the last seven days up to the day shown.
COMPLETENESS_DAYS = 7
ONE_DAY = dt.timedelta(days=1)


def on_time_deadline(day: dt.date) -> dt.datetime:
    """When the report of `day` is due: the next day at `REPORT_ON_TIME_HOUR`, WIB."""
    next_day = day + ONE_DAY
    return timezone.make_aware(
        dt.datetime(next_day.year, next_day.month, next_day.day, settings.REPORT_ON_TIME_HOUR),
        timezone.get_default_timezone(),
    )


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _child_key(level: int, field_prefix: str):
    """The child an area's row belongs to: a code prefix, or the station on a kecamatan."""
    if level == 3:
        return F(f"{field_prefix}id")
    return Left(
        f"{field_prefix}sub_district_id", CHILD_CODE_LENGTH[level], output_field=CharField()
    )


def _station_days(area: str, level: int, start: dt.date, end: dt.date) -> dict:
    """Days each child's stations were commissioned within the period, ignoring status."""
    rows = (
        RecordingDevice.objects.filter(area_q(area), commissioned_on__lte=end)
        .annotate(child=_child_key(level, ""), first=Greatest("commissioned_on", Value(start)))
        .values("child", "first")
        .annotate(stations=Count("id"))
        .order_by()
    )
    days: dict = defaultdict(int)
    for row in rows:  # one row per child and first day in the period: at most 7 per child
        days[row["child"]] += row["stations"] * ((end - row["first"]).days + 1)
    return days


def _days_off(area: str, level: int, start: dt.date, end: dt.date) -> dict:
    """The days within the period on which a commissioned station was not working, by child:
    {child: {(device id, day), ...}}."""
    changes = (
        DeviceStatusChange.objects.filter(
            area_q(area, "device__sub_district__code"), effective_on__lte=end
        )
        .annotate(child=_child_key(level, "device__"))
        .order_by("device_id", "effective_on", "id")
        .values_list("device_id", "child", "status", "effective_on", "device__commissioned_on")
    )
    timelines: dict[int, list] = defaultdict(list)
    for device_id, child, status, day, commissioned in changes:
        timelines[device_id].append((child, status, day, commissioned))
    off: dict = defaultdict(set)
    days = _days(start, end)
    for device_id, timeline in timelines.items():
        for day in days:
            child, _status, _day, commissioned = timeline[0]
            if day < commissioned:
                continue
            in_force = [status for _c, status, since, _d in timeline if since <= day]
            if in_force and not DeviceStatus.expected_to_report(in_force[-1]):
                off[child].add((device_id, day))
    return off


def _received(area: str, level: int, start: dt.date, end: dt.date) -> dict:
    """Reports of the period by child, with how many came on time; and the (device, day) of
    reports that may fall on a station's day off (stations with a timeline)."""
    on_time = Q()
    for day in _days(start, end):
        on_time |= Q(date=day, created_at__lte=on_time_deadline(day))
    rows = (
        DailyCount.objects.filter(
            area_q(area, "device__sub_district__code"),
            date__range=(start, end),
            date__gte=F("device__commissioned_on"),
        )
        .annotate(child=_child_key(level, "device__"))
        .values("child")
        .annotate(received=Count("id"), on_time=Count("id", filter=on_time))
        .order_by()
    )
    return {row["child"]: (row["received"], row["on_time"]) for row in rows}


def _received_on_days_off(off: dict, start: dt.date, end: dt.date) -> dict:
    """Reports saved for a station's day off, by child, as (reports, of them on time)."""
    devices = {device_id for days in off.values() for device_id, _day in days}
    if not devices:
        return {}
    child_of = {key: child for child, days in off.items() for key in days}
    counted: dict = defaultdict(lambda: [0, 0])
    reports = DailyCount.objects.filter(device__in=devices, date__range=(start, end)).values_list(
        "device_id", "date", "created_at"
    )
    for device_id, day, created_at in reports:  # a few rows: stations down in the period
        child = child_of.get((device_id, day))
        if child is not None:
            counted[child][0] += 1
            counted[child][1] += created_at <= on_time_deadline(day)
    return counted


def completeness_by_child(
    *, area: str, as_of: dt.date, days: int = COMPLETENESS_DAYS
) -> dict[str, Completeness]:
    """Completeness of each child of `area` over the `days` days up to and including `as_of`,
    by child code (a station's id on a kecamatan); children without a station are absent.

    Three queries (four when a station was off in the period), whatever the area's size.
    """
    level = region_level(area)
    start, end = as_of - dt.timedelta(days=days - 1), as_of
    station_days = _station_days(area, level, start, end)
    off = _days_off(area, level, start, end)
    received = _received(area, level, start, end)
    received_off = _received_on_days_off(off, start, end)
    result = {}
    for child, owed in station_days.items():
        got, on_time = received.get(child, (0, 0))
        got_off, on_time_off = received_off.get(child, (0, 0))
        result[child] = Completeness(
            expected=owed - len(off.get(child, ())),
            received=got - got_off,
            on_time=on_time - on_time_off,
        )
    return result


def completeness(*, area: str, as_of: dt.date, days: int = COMPLETENESS_DAYS) -> Completeness:
    """The area's completeness: the sum of its children's."""
    return sum(completeness_by_child(area=area, as_of=as_of, days=days).values(), Completeness())
