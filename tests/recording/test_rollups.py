"""The daily totals per regency/province stay equal to the counts after every kind of write."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from recording.models import (
    AreaMonthlyTotal,
    DailyCount,
    DeviceMonthlyTotal,
    ProvinceDailyTotal,
    RegencyDailyTotal,
)
from recording.services.counts import CountRow, daily_counts_save
from recording.services.rollups import daily_counts_delete, rollup_differences

DAY = dt.date(2012, 4, 16)


def _regency_total(code="16.08", day=DAY):
    row = RegencyDailyTotal.objects.filter(regency=code, date=day).first()
    return (row.recorded, row.reports) if row else (0, 0)


def _province_total(code="16", day=DAY):
    row = ProvinceDailyTotal.objects.filter(province=code, date=day).first()
    return (row.recorded, row.reports) if row else (0, 0)


def test_service_writes_move_the_rollups(make_device):
    a, b = make_device("16.08.01"), make_device("16.08.12")
    rows = [CountRow(line=1, device=a, date=DAY, count=40), CountRow(2, b, DAY, 60)]
    daily_counts_save(rows=rows, user=None, today=DAY)
    assert _regency_total() == (100, 2) and _province_total() == (100, 2)
    daily_counts_save(rows=[CountRow(1, a, DAY, 10)], user=None, today=DAY)
    assert _regency_total() == (70, 2) and _province_total() == (70, 2)
    assert rollup_differences() == []


def test_orm_saves_and_deletes_move_the_rollups(make_device):
    device = make_device("16.09.01")
    count = DailyCount.objects.create(device=device, date=DAY, count=25)
    assert _regency_total("16.09") == (25, 1)
    count.count = 30
    count.save()
    assert _regency_total("16.09") == (30, 1)
    count.delete()
    assert _regency_total("16.09") == (0, 0)
    assert rollup_differences() == []


def test_bulk_delete_refreshes_the_rollups(make_device):
    a, b = make_device("16.08.01"), make_device("16.09.01")
    DailyCount.objects.create(device=a, date=DAY, count=5)
    DailyCount.objects.create(device=b, date=DAY, count=7)
    assert daily_counts_delete(DailyCount.objects.filter(device=a)) == 1
    assert _regency_total("16.08") == (0, 0)
    assert _regency_total("16.09") == (7, 1) and _province_total() == (7, 1)
    assert rollup_differences() == []


def test_rebuild_command_reports_and_repairs_a_drift(make_device):
    DailyCount.objects.create(device=make_device(), date=DAY, count=5)
    RegencyDailyTotal.objects.filter(regency="16.08", date=DAY).update(recorded=999)
    with pytest.raises(CommandError, match="1 selisih"):
        call_command("rollup_rebuild", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rollup_rebuild", stdout=out)
    assert "16.08 2012-04-16: tersimpan 999" in out.getvalue()
    assert _regency_total() == (5, 1)
    assert rollup_differences() == []


def test_a_limit_stops_the_listing_in_the_monthly_tables_too(make_device):
    a, b, c = make_device("16.08.01"), make_device("16.08.12"), make_device("16.09.01")
    for device in (a, b, c):
        DailyCount.objects.create(device=device, date=DAY, count=5)
    # Three device months and two area months wrong, the daily totals right.
    DeviceMonthlyTotal.objects.update(recorded=1)
    AreaMonthlyTotal.objects.filter(area__in=["16.08", "16.09"]).update(recorded=2)

    first_two = rollup_differences(limit=2)

    assert [(d.table, d.area) for d in first_two] == [
        ("recording_devicemonthlytotal", str(a.pk)),
        ("recording_devicemonthlytotal", str(b.pk)),
    ]
    assert len(rollup_differences()) == 5
