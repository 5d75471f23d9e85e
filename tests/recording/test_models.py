import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from districts.models import AreaAssignment
from recording.choices import DeviceStatus
from recording.models import DailyCount, RecordingDevice

DAY = dt.date(2012, 4, 16)


def test_database_refuses_a_negative_count(make_device):
    device = make_device()
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyCount.objects.create(device=device, date=DAY, count=-1)
    assert not DailyCount.objects.filter(device=device).exists()


def test_database_refuses_a_second_count_for_the_same_device_and_day(make_device):
    device = make_device()
    DailyCount.objects.create(device=device, date=DAY, count=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyCount.objects.create(device=device, date=DAY, count=20)
    assert list(DailyCount.objects.filter(device=device).values_list("count", flat=True)) == [10]


def test_same_day_on_two_devices_is_fine(make_device):
    DailyCount.objects.create(device=make_device(), date=DAY, count=10)
    DailyCount.objects.create(device=make_device(), date=DAY, count=0)
    assert DailyCount.objects.filter(date=DAY).count() == 2


def test_database_refuses_a_duplicate_serial(make_device):
    make_device(serial="SN-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_device(serial="SN-1")


def test_device_defaults_and_status_values(make_device):
    device = make_device()
    assert device.daily_capacity == 100
    assert device.status == DeviceStatus.OPERATIONAL
    assert set(DeviceStatus.values) == {"operational", "broken", "at_vendor", "retired"}


def test_devices_in_an_area_follow_the_code_tree(make_device):
    inside = make_device("16.08.12")
    make_device("16.09.01")
    assert RecordingDevice.objects.in_area("16").count() == 2
    assert RecordingDevice.objects.in_area("16.08").get() == inside
    assert RecordingDevice.objects.in_area("16.08.12").get() == inside
    assert not RecordingDevice.objects.in_area("16.08.1").exists()


def test_an_assignment_names_exactly_one_area(operator_oku_timur):
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaAssignment.objects.create(
            user=operator_oku_timur, role="operator", province_id="16", regency_id="16.08"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaAssignment.objects.create(user=operator_oku_timur, role="operator")
