"""`manage.py bench`: the national data set it generates, the timings it prints, and --clear."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Length, Mod

from devtools.benchmark import BENCH_SOURCE, SERIAL_PREFIX
from districts.models import EligiblePopulation, SubDistrict
from recording.models import DailyCount, DeviceStatusChange, ProvinceDailyTotal, RecordingDevice
from recording.services.rollups import rollup_differences

pytestmark = pytest.mark.django_db

TIMING_ROW = re.compile(
    r"^(?P<label>.+?)\s+(?P<median>\d+\.\d)\s+(?P<p95>\d+\.\d)\s+\d+\.\d\s+\d+\.\d$"
)


def _bench(*args, stderr=None) -> str:
    out = io.StringIO()
    call_command("bench", *args, stdout=out, stderr=stderr)
    return out.getvalue()


@pytest.mark.slow
def test_bench_generates_a_national_set_times_every_level_and_clears_it(terminal):
    output = _bench("--days", "8", "--runs", "1", stderr=terminal)

    # Progress on stderr, each step's line ended before the report goes on; none in the report.
    assert [line.rsplit("\r", 1)[-1] for line in terminal.getvalue().rstrip("\n").split("\n")] == [
        "Membuat alat: selesai dalam 0:00",
        "Membuat jumlah harian: selesai dalam 0:00",
        "Membuat wajib KTP dan target: selesai dalam 0:00",
        "Mencatat alat rusak: selesai dalam 0:00",
        "Menghitung rekap harian: selesai dalam 0:00",
        "ANALYZE: selesai dalam 0:00",
        "Mengukur halaman: 24/24 (100%), selesai dalam 0:00",
    ]
    assert output.splitlines()[:2] == [f"Basis data: {connection.vendor}", "Membuat data nasional…"]
    assert "\r" not in output

    # One to three devices in every kecamatan of the country (1 + name length mod 3).
    expected_devices = SubDistrict.objects.aggregate(n=Sum(Mod(Length("name"), 3) + 1))["n"]
    devices = RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX)
    assert devices.count() == expected_devices > 7000
    counts = DailyCount.objects.filter(device__in=devices)
    # About 2% of device-days have no report; nothing is outside the 8 days.
    assert 0.95 * expected_devices * 8 < counts.count() < expected_devices * 8
    assert counts.dates("date", "day").count() == 8
    assert DeviceStatusChange.objects.filter(device__in=devices).exists()
    assert (
        EligiblePopulation.objects.filter(source=BENCH_SOURCE).count()
        == SubDistrict.objects.count()
    )
    # The rollups the national and province pages read agree with the raw counts.
    assert ProvinceDailyTotal.objects.count() > 0
    assert rollup_differences(limit=5) == []

    rows = [m for line in output.splitlines() if (m := TIMING_ROW.match(line))]
    labels = [m["label"] for m in rows]
    # Four levels, each today, at the end of last month and a year back.
    assert len(rows) == 12
    assert sum(label.startswith("nasional") for label in labels) == 3
    assert sum(label.startswith("provinsi 35 (terbesar)") for label in labels) == 3
    assert all(float(m["median"]) > 0 for m in rows)

    assert "Dihapus" in _bench("--clear")
    assert not RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX).exists()
    assert not DailyCount.objects.filter(device__serial__startswith=SERIAL_PREFIX).exists()
    assert not EligiblePopulation.objects.filter(source=BENCH_SOURCE).exists()
    assert rollup_differences(limit=5) == []


def test_bench_refuses_too_few_days():
    with pytest.raises(CommandError, match="--days"):
        _bench("--days", "3")


def test_bench_without_regions_says_to_import_them_first():
    SubDistrict.objects.all().delete()  # rolled back with the test

    with pytest.raises(CommandError) as refused:
        _bench("--days", "8")

    assert str(refused.value) == (
        "Daftar wilayah masih kosong: jalankan `manage.py import_regions` dulu, lalu bench lagi."
    )
    assert not RecordingDevice.objects.exists()
