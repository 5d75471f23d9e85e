"""Reads: the dashboards of every level, computed in the database in a fixed number of queries.

National and province pages read the daily totals per province/regency (`rollups`); a regency
page aggregates its own counts (a few hundred thousand rows at most); a kecamatan page its
devices'. Every figure is as of the day asked for, including which devices were down.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import CharField, Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Left

from districts.codes import CHILD_CODE_LENGTH, area_q, regency_code, region_level
from districts.models import Campaign, EligiblePopulation, Province, Regency, SubDistrict
from recording.choices import DeviceStatus
from recording.coverage import (
    RECENT_DAYS,
    Completeness,
    Coverage,
    Dashboard,
    DayPoint,
    DeviceCoverage,
    DownDevice,
    lost_within,
)
from recording.links import device_url, region_url
from recording.models import (
    AreaMonthlyTotal,
    DailyCount,
    DeviceMonthlyTotal,
    DeviceStatusChange,
    ProvinceDailyTotal,
    RecordingDevice,
    RegencyDailyTotal,
)
from recording.selectors.completeness import completeness_by_child
from recording.selectors.devices import DeviceState, device_states
from recording.services.rollups import month_start

# Length of a child's code at each level: national -> "16", province -> "16.08", regency ->
# "16.08.12". Grouping by a prefix of the sub-district code avoids joining up the tree.
CHILD_MODEL = {0: Province, 1: Regency, 2: SubDistrict}
SERIES_DAYS = 730
STATUS_LABELS = dict(DeviceStatus.choices)


def _child(field: str, length: int):
    return Left(field, length, output_field=CharField())


def _spell_figures(states: dict[int, DeviceState], as_of: dt.date):
    """For the devices not working on the day, in one query: each down device's daily average
    over the 7 days before it went down, and which of them still have a count for the day.

    The week hangs off the status change that began each spell, so the database finds it with
    one index probe per device (a filter OR-ing one window per device took longer to build in
    the ORM than to run).
    """
    if not states:
        return {}, set()
    week_before = (
        DailyCount.objects.filter(
            device_id=OuterRef("device_id"),
            date__lt=OuterRef("effective_on"),
            date__gte=OuterRef("effective_on") - dt.timedelta(days=RECENT_DAYS),
        )
        .order_by()  # the model's ordering would join devices and kecamatan into every probe
        .values("device_id")
        .annotate(total=Sum("count"))
        .values("total")
    )
    rows = (
        DeviceStatusChange.objects.filter(pk__in=[s.since_change_id for s in states.values()])
        .annotate(
            week_before=Subquery(week_before),
            # A probe of the (device, day) key per row; EXISTS was planned as a hash of the
            # whole day's counts.
            reported=Subquery(
                DailyCount.objects.filter(device_id=OuterRef("device_id"), date=as_of)
                .order_by()
                .values("pk")[:1]
            ),
        )
        .values_list("device_id", "week_before", "reported")
        .order_by()
    )
    averages, reported = {}, set()
    for device_id, week_total, count_on_day in rows:
        if states[device_id].status in DeviceStatus.down():
            averages[device_id] = (Decimal(week_total or 0) / RECENT_DAYS).quantize(Decimal("0.1"))
        if count_on_day is not None:
            reported.add(device_id)
    return averages, reported


def _unrecorded_by_sub_district(codes: set[str], as_of: dt.date) -> dict[str, int]:
    """What each of these kecamatan still had to record on the day (eligible - recorded, at
    least 0), in three queries whatever their number; for capping the down stations' estimates
    where the page does not already have their kecamatan's figures."""
    if not codes:
        return {}
    eligible = dict(
        EligiblePopulation.objects.current(as_of)
        .filter(sub_district__in=codes)
        .values("sub_district_id")
        .annotate(total=Sum("eligible"))
        .values_list("sub_district_id", "total")
        .order_by()
    )
    recorded = _recorded_by_device(
        RecordingDevice.objects.filter(sub_district__in=codes), as_of, "child"
    )
    return {
        code: max(eligible.get(code, 0) - recorded.get(code, (0, 0, 0))[0], 0) for code in codes
    }


def _down_devices(
    states: dict[int, DeviceState],
    as_of: dt.date,
    averages: dict[int, Decimal],
    unrecorded: dict[str, int],
) -> list[DownDevice]:
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}  # translated once
    down_statuses = DeviceStatus.down()
    down = [
        DownDevice(
            serial=s.serial,
            label=s.label,
            sub_district_code=s.sub_district_code,
            sub_district_name=s.sub_district_name,
            status=s.status,
            status_label=labels[s.status],
            since=s.since,
            days_down=(as_of - s.since).days,
            url=device_url(s.serial),
            daily_average_before=averages.get(s.device_id, Decimal(0)),
            unrecorded_in_sub_district=unrecorded.get(s.sub_district_code, 0),
        )
        for s in states.values()
        if s.status in down_statuses
    ]
    return sorted(down, key=lambda d: (-d.days_down, d.serial))


def _eligible_by_child(code: str, length: int, as_of: dt.date) -> tuple[dict[str, int], list]:
    """Eligible population per child, and the sources those figures come from (one query)."""
    eligible: dict[str, int] = defaultdict(int)
    sources = set()
    for child, source, total in (
        EligiblePopulation.objects.current(as_of)
        .filter(area_q(code))
        .annotate(child=_child("sub_district_id", length))
        .values("child", "source")
        .annotate(total=Sum("eligible"))
        .values_list("child", "source", "total")
        .order_by()
    ):
        eligible[child] += total
        if source:
            sources.add(source)
    return eligible, sorted(sources)


def _recorded_by_child(level: int, as_of: dt.date, child_codes: list[str]):
    """(recorded to date, last 7 days, reports on the day) per child province or regency: whole
    months from the monthly totals, the rest from the daily totals."""
    this_month = month_start(as_of)
    week_start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    if level == 0:
        daily, key = ProvinceDailyTotal.objects.filter(province__in=child_codes), "province"
    else:
        daily, key = RegencyDailyTotal.objects.filter(regency__in=child_codes), "regency"
    figures: dict = {code: [0, 0, 0] for code in child_codes}
    for area, total in (
        AreaMonthlyTotal.objects.filter(area__in=child_codes, month__lt=this_month)
        .values("area")
        .annotate(total=Sum("recorded"))
        .values_list("area", "total")
        .order_by()
    ):
        figures[area][0] += total or 0
    for row in (
        daily.filter(date__range=(min(this_month, week_start), as_of))
        .values(f"{key}_id")
        .annotate(
            month=Sum("recorded", filter=Q(date__gte=this_month)),
            recent=Sum("recorded", filter=Q(date__gte=week_start)),
            today=Sum("reports", filter=Q(date=as_of)),
        )
        .order_by()
    ):
        totals = figures[row[f"{key}_id"]]
        totals[0] += row["month"] or 0
        totals[1] += row["recent"] or 0
        totals[2] += row["today"] or 0
    return {code: tuple(values) for code, values in figures.items()}


def _child_areas(code: str, level: int, as_of: dt.date) -> list[tuple[str, str, dt.date | None]]:
    """(code, name, last day anything was reported) of each child area; the last report is read
    here for provinces and regencies (one backward index probe per child in their daily totals)
    and left empty for kecamatan, whose devices tell it."""
    children = CHILD_MODEL[level].objects.filter(area_q(code, "code"))
    if level == 2:
        return [(c, name, None) for c, name in children.values_list("code", "name")]
    daily, key = (ProvinceDailyTotal, "province") if level == 0 else (RegencyDailyTotal, "regency")
    last = (
        daily.objects.filter(**{key: OuterRef("code")}, date__lte=as_of, reports__gt=0)
        .order_by("-date")
        .values("date")[:1]
    )
    return list(children.annotate(last=Subquery(last)).values_list("code", "name", "last"))


def _recorded_by_device(devices, as_of: dt.date, key: str):
    """(recorded to date, last 7 days, reports on the day, recorded on the day) per `key` of the
    given devices.

    Whole months come from the device-month totals; only the raw counts of the current month
    (and of the last 7 days) are read, so the cost does not grow with the years of data.
    """
    this_month = month_start(as_of)
    week_start = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    figures: dict = defaultdict(lambda: [0, 0, 0, 0])
    for row in (
        DeviceMonthlyTotal.objects.filter(device__in=devices, month__lt=this_month)
        .annotate(key=_key(key))
        .values("key")
        .annotate(total=Sum("recorded"))
        .order_by()
    ):
        figures[row["key"]][0] += row["total"] or 0
    for row in (
        DailyCount.objects.filter(
            device__in=devices, date__range=(min(this_month, week_start), as_of)
        )
        .annotate(key=_key(key))
        .values("key")
        .annotate(
            month=Sum("count", filter=Q(date__gte=this_month)),
            recent=Sum("count", filter=Q(date__gte=week_start)),
            today=Count("id", filter=Q(date=as_of)),
            on_day=Sum("count", filter=Q(date=as_of)),
        )
        .order_by()
    ):
        figures[row["key"]][0] += row["month"] or 0
        figures[row["key"]][1] += row["recent"] or 0
        figures[row["key"]][2] += row["today"] or 0
        figures[row["key"]][3] += row["on_day"] or 0
    return figures


def _key(key: str):
    return F("device_id") if key == "device" else _child("device__sub_district_id", 8)


def _last_reports(devices, as_of: dt.date) -> dict[int, tuple[str, dt.date | None]]:
    """Each device's last report on or before the day: one index probe per device."""
    last = (
        DailyCount.objects.filter(device=OuterRef("pk"), date__lte=as_of)
        .order_by("-date")
        .values("date")[:1]
    )
    return {
        pk: (sub_district, day)
        for pk, sub_district, day in devices.annotate(last=Subquery(last))
        .values_list("pk", "sub_district_id", "last")
        .order_by()
    }


def series_end(as_of: dt.date, last_report: dt.date | None) -> dt.date:
    """Where the charts end: `as_of`, or the last report when it lies before the two years up to
    `as_of` (an area that stopped in 2012, looked at today, still shows its data)."""
    if last_report and last_report <= as_of - dt.timedelta(days=SERIES_DAYS):
        return last_report
    return as_of


def _series(code: str, level: int, as_of: dt.date, recorded_total: int) -> list[DayPoint]:
    """The area's recorded count per day over the two years up to `as_of` (the series' end)."""
    first = as_of - dt.timedelta(days=SERIES_DAYS - 1)
    if level == 0:
        rows, amount = ProvinceDailyTotal.objects.all(), "recorded"
    elif level == 1:
        rows, amount = ProvinceDailyTotal.objects.filter(province=code), "recorded"
    elif level == 2:
        rows, amount = RegencyDailyTotal.objects.filter(regency=code), "recorded"
    else:
        rows, amount = DailyCount.objects.filter(device__sub_district=code), "count"
    per_day = (
        rows.filter(date__range=(first, as_of))
        .values("date")
        .annotate(total=Sum(amount))
        .values_list("date", "total")
        .order_by("date")
    )
    per_day = [(day, total or 0) for day, total in per_day]
    # Cumulative counts end at the area's total, so what came before the window is included.
    cumulative = recorded_total - sum(total for _, total in per_day)
    points = []
    for day, total in per_day:
        cumulative += total
        points.append(DayPoint(date=day, recorded=total, cumulative=cumulative))
    return points


def _deadline_by_child(code: str, length: int, as_of: dt.date) -> dict[str, dt.date]:
    """The deadline of the campaign in force per child (the latest, where children differ)."""
    campaigns = Campaign.objects.filter(starts_on__lte=as_of)
    if code:
        campaigns = campaigns.filter(
            area_q(code, "regency__code")
            if region_level(code) < 2
            else Q(regency=regency_code(code))
        )
    # Kecamatan share their regency's campaign.
    key_length = min(length, 5)
    per_key = dict(
        campaigns.annotate(child=_child("regency_id", key_length))
        .values("child")
        .annotate(deadline=Max("deadline"))
        .values_list("child", "deadline")
        .order_by()
    )
    return per_key


def _device_figures(code: str, length: int, as_of: dt.date):
    """Per child: devices in service on the day and their daily capacity."""
    return {
        row["child"]: row
        for row in RecordingDevice.objects.filter(area_q(code), commissioned_on__lte=as_of)
        .annotate(child=_child("sub_district_id", length))
        .values("child")
        .annotate(total=Count("id"), capacity=Sum("daily_capacity"))
        .order_by()
    }


def _follow_up_by(code: str, as_of: dt.date, key) -> dict:
    return dict(
        DailyCount.objects.filter(
            area_q(code, "device__sub_district__code"), needs_follow_up=True, date__lte=as_of
        )
        .annotate(key=key)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
        .order_by()
    )


def _sum_children(total: Coverage, children: list[Coverage]):
    for name in (
        "eligible",
        "recorded",
        "recorded_last_7_days",
        "devices",
        "devices_down",
        "working_capacity",
        "not_reported",
        "follow_up",
        "recordings_lost",
    ):
        setattr(total, name, sum(getattr(c, name) for c in children))
    total.reporting = sum((c.reporting for c in children), Completeness())
    total.last_report = max((c.last_report for c in children if c.last_report), default=None)
    longest = max(children, key=lambda c: c.longest_down_days, default=None)
    if longest and longest.longest_down_days:
        total.longest_down_days = longest.longest_down_days
        total.longest_down_since = longest.longest_down_since


def area_dashboard(*, region, code: str, as_of: dt.date) -> Dashboard:
    """Everything a dashboard shows for an area as of a day; children are areas or devices."""
    level = region_level(code)
    if level == 3:
        return _sub_district_dashboard(region, as_of)
    length = CHILD_CODE_LENGTH[level]
    child_rows = _child_areas(code, level, as_of)
    child_codes = [c for c, _, _ in child_rows]
    eligible, sources = _eligible_by_child(code, length, as_of)
    deadlines = _deadline_by_child(code, length, as_of)
    states = device_states(code=code, as_of=as_of)
    devices = _device_figures(code, length, as_of)
    follow_up = _follow_up_by(code, as_of, _child("device__sub_district_id", length))
    averages, reported_while_out = _spell_figures(states, as_of)
    reporting = completeness_by_child(area=code, as_of=as_of)
    # Counts entered for the day by devices that were not working: they are not "reporting".
    down_reports = defaultdict(int)
    for device_id in reported_while_out:
        down_reports[states[device_id].sub_district_code[:length]] += 1
    last_report = {}
    if level < 2:
        recorded = _recorded_by_child(level, as_of, child_codes)
    else:
        in_area = RecordingDevice.objects.filter(area_q(code))
        recorded = _recorded_by_device(in_area, as_of, "child")
        for sub_district, day in _last_reports(in_area, as_of).values():
            if day and (sub_district not in last_report or day > last_report[sub_district]):
                last_report[sub_district] = day
    down_codes = {s.sub_district_code for s in states.values() if s.status in DeviceStatus.down()}
    if level == 2:  # the children are the kecamatan: their figures are at hand
        unrecorded = {
            c: max(eligible.get(c, 0) - recorded.get(c, (0, 0, 0))[0], 0) for c in down_codes
        }
    else:
        unrecorded = _unrecorded_by_sub_district(down_codes, as_of)
    down_devices = _down_devices(states, as_of, averages, unrecorded)
    down_by_child = defaultdict(list)
    for down in down_devices:
        down_by_child[down.sub_district_code[:length]].append(down)
    not_working = defaultdict(list)
    for state in states.values():
        not_working[state.sub_district_code[:length]].append(state)

    children = []
    for child_code, name, last in child_rows:
        done, recent, reports_today = recorded.get(child_code, (0, 0, 0))[:3]
        in_service = devices.get(child_code, {"total": 0, "capacity": 0})
        out = not_working[child_code]
        retired = [s for s in out if s.status == DeviceStatus.RETIRED]
        down = [s for s in out if s.status in DeviceStatus.down()]
        longest = min(down, key=lambda s: s.since, default=None)
        working = in_service["total"] - len(out)
        working_reports = reports_today - down_reports.get(child_code, 0)
        children.append(
            Coverage(
                code=child_code,
                name=name,
                as_of=as_of,
                url=region_url(child_code),
                eligible=eligible.get(child_code, 0),
                recorded=done,
                recorded_last_7_days=recent,
                deadline=deadlines.get(regency_code(child_code))
                if level == 2
                else deadlines.get(child_code),
                devices=in_service["total"] - len(retired),
                devices_down=len(down),
                working_capacity=(in_service["capacity"] or 0) - sum(s.capacity for s in out),
                longest_down_days=(as_of - longest.since).days if longest else 0,
                longest_down_since=longest.since if longest else None,
                last_report=last or last_report.get(child_code),
                not_reported=max(working - working_reports, 0),
                follow_up=follow_up.get(child_code, 0),
                recordings_lost=lost_within(
                    down_by_child[child_code], max(eligible.get(child_code, 0) - done, 0)
                ),
                reporting=reporting.get(child_code, Completeness()),
            )
        )

    total = Coverage(
        code=code,
        name=region.name if region else "Indonesia",
        as_of=as_of,
        url=region_url(code),
        deadline=max((c.deadline for c in children if c.deadline), default=None),
    )
    _sum_children(total, children)
    end = series_end(as_of, total.last_report)
    return Dashboard(
        total=total,
        children=children,
        series=_series(code, level, end, total.recorded),
        sources=sources,
        down_devices=down_devices,
        series_end=end,
    )


def _sub_district_dashboard(sub_district: SubDistrict, as_of: dt.date) -> Dashboard:
    code = sub_district.code
    states = device_states(code=code, as_of=as_of)
    devices = RecordingDevice.objects.filter(sub_district=sub_district, commissioned_on__lte=as_of)
    figures = _recorded_by_device(devices, as_of, "device")
    last_reports = _last_reports(devices, as_of)
    follow_up = _follow_up_by(code, as_of, F("device_id"))
    reporting = completeness_by_child(area=code, as_of=as_of)
    rows = []
    for device in devices.order_by("serial"):
        state = states.get(device.pk)
        status = state.status if state else DeviceStatus.OPERATIONAL
        done, recent, today, on_day = figures.get(device.pk, (0, 0, 0, 0))
        rows.append(
            DeviceCoverage(
                serial=device.serial,
                label=device.label,
                url=device.get_absolute_url(),
                status=status,
                status_label=str(STATUS_LABELS[status]),
                daily_capacity=device.daily_capacity,
                recorded=done,
                recorded_last_7_days=recent,
                last_report=last_reports.get(device.pk, (None, None))[1],
                reported_today=today > 0,
                recorded_on_day=on_day if today else None,
                down_since=state.since if state else None,
                days_down=(as_of - state.since).days if state else 0,
                follow_up=follow_up.get(device.pk, 0),
                reporting=reporting.get(device.pk, Completeness()),
            )
        )
    in_service = [r for r in rows if r.status != DeviceStatus.RETIRED]
    down = [r for r in in_service if r.status in DeviceStatus.down()]
    working = [r for r in in_service if DeviceStatus.expected_to_report(r.status)]
    longest = max(down, key=lambda r: r.days_down, default=None)
    eligible, sources = _eligible_by_child(code, 8, as_of)
    unrecorded = max(eligible.get(code, 0) - sum(r.recorded for r in rows), 0)
    down_devices = _down_devices(
        states, as_of, _spell_figures(states, as_of)[0], {code: unrecorded}
    )
    deadline = _deadline_by_child(code, 8, as_of).get(regency_code(code))
    total = Coverage(
        code=code,
        name=sub_district.name,
        as_of=as_of,
        url=sub_district.get_absolute_url(),
        eligible=eligible.get(code, 0),
        recorded=sum(r.recorded for r in rows),
        recorded_last_7_days=sum(r.recorded_last_7_days for r in rows),
        deadline=deadline,
        devices=len(in_service),
        devices_down=len(down),
        working_capacity=sum(r.daily_capacity for r in working),
        longest_down_days=longest.days_down if longest else 0,
        longest_down_since=longest.down_since if longest else None,
        last_report=max((r.last_report for r in rows if r.last_report), default=None),
        not_reported=sum(1 for r in working if not r.reported_today),
        follow_up=sum(r.follow_up for r in rows),
        recordings_lost=lost_within(down_devices, unrecorded),
        reporting=sum((r.reporting for r in rows), Completeness()),
    )
    end = series_end(as_of, total.last_report)
    return Dashboard(
        total=total,
        children=rows,
        series=_series(code, 3, end, total.recorded),
        sources=sources,
        down_devices=down_devices,
        series_end=end,
    )
