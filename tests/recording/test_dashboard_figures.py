"""Dashboard figures on the demo data as of 16 April 2012, straight from the selectors."""

import datetime as dt

import pytest

from districts.models import Province, Regency, SubDistrict
from recording.coverage import Coverage, Progress
from recording.models import DailyCount, DeviceStatusChange
from recording.selectors.dashboards import area_dashboard
from recording.services.repairs import repair_return

STORY_DAY = dt.date(2012, 4, 16)


def _dashboard(code: str, as_of: dt.date = STORY_DAY):
    model = {0: None, 1: Province, 2: Regency, 3: SubDistrict}[code.count(".") + 1 if code else 0]
    region = model.objects.get(code=code) if model else None
    return area_dashboard(region=region, code=code, as_of=as_of)


def _child(dashboard, code):
    return next(c for c in dashboard.children if c.code == code)


def test_oku_timur_on_the_story_day(loaded):
    oku_timur = _dashboard("16.08").total
    assert (oku_timur.eligible, oku_timur.recorded, oku_timur.remaining) == (
        442_800,
        360_381,
        82_419,
    )
    assert str(oku_timur.coverage_percent) == "81.4"
    assert oku_timur.deadline == dt.date(2012, 4, 30)
    # 82,419 people over the 14 days from 17 to 30 April.
    assert oku_timur.required_daily_rate == 5_888 == -(-82_419 // 14)
    assert oku_timur.devices_down == 2
    # Even every working device at full capacity cannot make it.
    assert oku_timur.working_capacity < oku_timur.required_daily_rate
    assert oku_timur.progress == Progress.LATE


def test_the_two_down_stations_are_flagged_with_their_days_down(loaded):
    dashboard = _dashboard("16.08")
    down = [(d.sub_district_code, d.status, d.since, d.days_down) for d in dashboard.down_devices]
    assert down == [
        ("16.08.12", "at_vendor", dt.date(2012, 4, 2), 14),
        ("16.08.20", "at_vendor", dt.date(2012, 4, 5), 11),
    ]
    for code in ("16.08.12", "16.08.20"):
        kecamatan = _child(dashboard, code)
        assert kecamatan.no_working_device and kecamatan.devices_down == 1
    assert not _child(dashboard, "16.08.01").devices_down


def test_down_station_is_not_counted_as_not_reporting(loaded):
    kecamatan = _dashboard("16.08.12").total
    assert kecamatan.devices_down == 1 and kecamatan.not_reported == 0
    # A day before the breakdown it was working and reported.
    before = _dashboard("16.08.12", dt.date(2012, 4, 1)).total
    assert before.devices_down == 0 and before.last_report == dt.date(2012, 4, 1)


def test_oku_selatan_complete_and_on_track(loaded):
    oku_selatan = _child(_dashboard("16"), "16.09")
    assert oku_selatan.done and str(oku_selatan.coverage_percent) == "100.0"
    assert oku_selatan.progress == Progress.ON_TRACK
    assert oku_selatan.required_daily_rate == 0


def test_levels_agree_with_each_other_and_with_the_counts(loaded):
    national = _child(_dashboard(""), "16")
    province = _dashboard("16").total
    raw = sum(
        DailyCount.objects.filter(
            device__sub_district__code__startswith="16.", date__lte=STORY_DAY
        ).values_list("count", flat=True)
    )
    assert national.recorded == province.recorded == raw
    oku_timur = _child(_dashboard("16"), "16.08")
    assert oku_timur.recorded == _dashboard("16.08").total.recorded == 360_381


def test_a_past_day_shows_how_things_stood_then(loaded):
    earlier = _dashboard("16.08", dt.date(2012, 3, 31))
    assert earlier.total.recorded < 360_381
    assert earlier.down_devices == []  # nothing had broken yet
    assert earlier.series[-1].date == dt.date(2012, 3, 31)


def test_last_seven_days_and_projection(loaded):
    oku_timur = _dashboard("16.08").total
    week = sum(
        DailyCount.objects.filter(
            device__sub_district__regency="16.08",
            date__range=(dt.date(2012, 4, 10), STORY_DAY),
        ).values_list("count", flat=True)
    )
    assert oku_timur.recorded_last_7_days == week
    days = -(-oku_timur.remaining * 7 // week)
    assert oku_timur.projected_completion == STORY_DAY + dt.timedelta(days=days)


def test_a_repaired_device_counts_as_working_again(loaded):
    device = DeviceStatusChange.objects.filter(device__sub_district="16.08.12").first().device
    repair_return(device=device, returned_on=dt.date(2012, 4, 14), user=None)
    dashboard = _dashboard("16.08")
    assert [d.sub_district_code for d in dashboard.down_devices] == ["16.08.20"]
    assert _child(dashboard, "16.08.12").not_reported == 1  # working, and no count that day


@pytest.mark.parametrize("code", ["", "16", "16.08", "16.08.12"])
def test_query_count_is_fixed(loaded, code, django_assert_max_num_queries):
    # National and province pages read three more when stations are down: what their
    # kecamatan still had to record, which caps the estimate of people not recorded. Four for
    # the reporting completeness (stations, their days off, the reports, those on days off).
    with django_assert_max_num_queries(20):
        _dashboard(code)


def _unrecorded(code: str, as_of: dt.date) -> int:
    """Eligible minus recorded for one kecamatan, straight from the stored rows."""
    from districts.models import EligiblePopulation

    eligible = (
        EligiblePopulation.objects.filter(sub_district=code, as_of__lte=as_of)
        .order_by("-as_of")
        .values_list("eligible", flat=True)
        .first()
    )
    recorded = sum(
        DailyCount.objects.filter(device__sub_district=code, date__lte=as_of).values_list(
            "count", flat=True
        )
    )
    return max(eligible - recorded, 0)


@pytest.mark.parametrize("code", ["", "16", "16.08", "16.08.12"])
def test_the_estimate_of_people_not_recorded_never_exceeds_what_was_left(loaded, code):
    """Years after the story the two stations are still "down": days down × their pace would
    claim more people than live in their kecamatan (683.834 in one of 42.577). Capped, each
    station's estimate is what its kecamatan still had to record, on every level."""
    much_later = dt.date(2026, 11, 30)
    dashboard = _dashboard(code, much_later)
    caps = {"16.08.12": _unrecorded("16.08.12", much_later)}
    caps["16.08.20"] = _unrecorded("16.08.20", much_later)
    down = {d.sub_district_code: d for d in dashboard.down_devices if d.sub_district_code in caps}
    if code == "16.08.12":
        assert set(down) == {"16.08.12"}
    else:
        assert set(down) == {"16.08.12", "16.08.20"}
    for kecamatan, device in down.items():
        assert device.days_down > 5_000
        assert device.daily_average_before * device.days_down > caps[kecamatan]
        assert device.recordings_lost == caps[kecamatan]
    assert dashboard.total.recordings_lost <= dashboard.total.remaining
    if code == "16.08":
        assert dashboard.total.recordings_lost == caps["16.08.12"] + caps["16.08.20"]


def test_recordings_lost_while_down_are_estimated_from_the_pace_before(loaded):
    dashboard = _dashboard("16.08")
    for down in dashboard.down_devices:
        week_before = sum(
            DailyCount.objects.filter(
                device__serial=down.serial,
                date__range=(down.since - dt.timedelta(days=7), down.since - dt.timedelta(days=1)),
            ).values_list("count", flat=True)
        )
        assert down.recordings_lost == round(round(week_before / 7, 1) * down.days_down)
        assert down.recordings_lost > 0
    assert dashboard.total.recordings_lost == sum(d.recordings_lost for d in dashboard.down_devices)


def test_an_area_with_every_device_down_is_not_projected_to_finish():
    """Last week's pace says nothing about the days ahead when no device works."""
    area = Coverage(
        code="16.08.16",
        name="Jayapura",
        as_of=dt.date(2012, 4, 17),
        eligible=10_000,
        recorded=8_000,
        recorded_last_7_days=700,
        deadline=dt.date(2012, 4, 30),
        devices=1,
        working_capacity=0,
    )
    assert area.projected_completion == dt.date(2012, 5, 7)  # one working device: 20 days on
    area.devices_down = 1
    assert area.no_working_device
    assert area.projected_completion is None
    assert area.progress == Progress.LATE
