"""Reporting completeness on hand-made stations over 10–16 April 2012 (seven days up to the
16th; reports are due by noon WIB the next day)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from recording.choices import DeviceStatus
from recording.models import DailyCount, DeviceStatusChange
from recording.selectors.completeness import (
    Completeness,
    completeness,
    completeness_by_child,
    on_time_deadline,
)

AS_OF = dt.date(2012, 4, 16)


def _day(n: int) -> dt.date:
    return dt.date(2012, 4, n)


def _report(device, day: int, *, saved_next_day_at: int):
    """A count of 10 for 2012-04-`day`, first saved the next day at that hour (WIB)."""
    saved = timezone.make_aware(dt.datetime(2012, 4, day + 1, saved_next_day_at))
    DailyCount.objects.create(device=device, date=_day(day), count=10, created_at=saved)


def _status(device, status: str, day: int):
    DeviceStatusChange.objects.create(device=device, status=status, effective_on=_day(day))


@pytest.fixture
def stations(make_device, settings):
    settings.REPORT_ON_TIME_HOUR = 12
    # A: working all week; four reports, the fourth after noon of the next day.
    a = make_device("16.08.01", serial="A-1")
    for day in (10, 11, 12):
        _report(a, day, saved_next_day_at=8)
    _report(a, 13, saved_next_day_at=13)
    # B: commissioned on the 14th, so it owes three days; one report on time.
    b = make_device("16.08.01", serial="B-1", commissioned_on=_day(14))
    _report(b, 14, saved_next_day_at=11)
    # C: broke on the 12th, went to the vendor on the 13th, back on the 15th: owes the 10th,
    # 11th, 15th and 16th. Its report of the 12th (recorded before it broke) is not counted.
    c = make_device("16.08.02", serial="C-1")
    _status(c, DeviceStatus.BROKEN, 12)
    _status(c, DeviceStatus.AT_VENDOR, 13)
    _status(c, DeviceStatus.OPERATIONAL, 15)
    for day in (10, 12, 15):
        _report(c, day, saved_next_day_at=9)
    # D: retired before the week; owes nothing, and its stray report is not counted.
    d = make_device("16.08.02", serial="D-1")
    _status(d, DeviceStatus.RETIRED, 1)
    _report(d, 11, saved_next_day_at=9)
    # E: a station of OKU Selatan reporting every day on time.
    e = make_device("16.09.01", serial="E-1")
    for day in range(10, 17):
        _report(e, day, saved_next_day_at=7)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_the_regency_children_owe_only_their_working_days(stations):
    assert completeness_by_child(area="16.08", as_of=AS_OF) == {
        "16.08.01": Completeness(expected=10, received=5, on_time=4),
        "16.08.02": Completeness(expected=4, received=2, on_time=2),
    }


def test_a_kecamatan_lists_its_stations(stations):
    assert completeness_by_child(area="16.08.01", as_of=AS_OF) == {
        stations["a"].pk: Completeness(expected=7, received=4, on_time=3),
        stations["b"].pk: Completeness(expected=3, received=1, on_time=1),
    }
    assert completeness_by_child(area="16.08.02", as_of=AS_OF) == {
        stations["c"].pk: Completeness(expected=4, received=2, on_time=2),
        stations["d"].pk: Completeness(expected=0, received=0, on_time=0),
    }


def test_parents_are_the_sums_of_their_children(stations):
    assert completeness_by_child(area="16", as_of=AS_OF) == {
        "16.08": Completeness(expected=14, received=7, on_time=6),
        "16.09": Completeness(expected=7, received=7, on_time=7),
    }
    assert completeness_by_child(area="", as_of=AS_OF) == {
        "16": Completeness(expected=21, received=14, on_time=13),
    }
    assert completeness(area="16.08", as_of=AS_OF) == Completeness(14, 7, 6)


def test_percentages_and_nothing_owed(stations):
    figures = completeness(area="16.08", as_of=AS_OF)
    assert figures.percent == Decimal("50.0")
    assert figures.on_time_percent == Decimal("42.9")
    assert figures.missing == 7
    assert Completeness().percent is None


def test_an_earlier_day_shifts_the_week(stations):
    # 5–11 April: C worked all week (it broke on the 12th) and reported only the 10th; A
    # reported the 10th and 11th; B was not commissioned yet; D was retired.
    assert completeness_by_child(area="16.08", as_of=_day(11)) == {
        "16.08.01": Completeness(expected=7, received=2, on_time=2),
        "16.08.02": Completeness(expected=7, received=1, on_time=1),
    }


def test_the_deadline_is_noon_of_the_next_day_in_jakarta(settings):
    settings.REPORT_ON_TIME_HOUR = 12
    # 12:00 WIB is 05:00 UTC.
    assert on_time_deadline(AS_OF) == dt.datetime(2012, 4, 17, 5, tzinfo=dt.UTC)


def test_a_bounded_number_of_queries(stations, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        completeness_by_child(area="", as_of=AS_OF)


def test_the_dashboard_shows_the_weeks_completeness(client, admin_user, loaded):
    """The demo's OKU Timur, 10–16 April 2012: nine kecamatan with two working stations (14
    reports owed each), nine with one (7 each), two whose only station is at the vendor (none):
    189 owed, all received by noon the next day."""
    client.force_login(admin_user)
    page = client.get("/wilayah/16.08/?as_of=2012-04-16").content.decode()

    card = page.split("Kelengkapan lapor 7 hari</span>", 1)[1].split("</div>", 1)[0]
    assert '<span class="value">100,0%</span>' in card
    assert "189 dari 189 laporan; 189 tepat waktu" in card
