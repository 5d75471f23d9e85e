"""`manage.py bench`: the national data set it generates (card journey included), the timings
it prints, --cards-compare and --clear."""

import datetime as dt
import io
import re
from collections import defaultdict
from itertools import accumulate

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Length, Mod

from cards.models import BlankoMovement, BlankoStock, CardReport
from cards.selectors import card_figures, card_figures_by_child
from devtools.bench_cards import bench_cards_clear, bench_cards_generate
from devtools.benchmark import BENCH_SOURCE, SERIAL_PREFIX, bench_user
from districts.models import EligiblePopulation, Province, Regency, SubDistrict
from recording.models import DailyCount, DeviceStatusChange, ProvinceDailyTotal, RecordingDevice
from recording.services.rollups import rollup_differences
from tests.cards.rollup_sums import raw_sums, stored_sums

pytestmark = pytest.mark.django_db

TIMING_ROW = re.compile(
    r"^(?P<label>.+?)\s+(?P<median>\d+\.\d)\s+(?P<p95>\d+\.\d)\s+\d+\.\d\s+\d+\.\d"
    r"\s+(?P<queries>\d+)$"
)
COMPARISON_ROW = re.compile(
    r"^(?P<label>.+?)\s+(?P<cards>\d+\.\d)\s+(?P<bare>\d+\.\d)\s+(?P<ratio>\d+\.\d\d)"
    r"\s+(?P<queries>\d+)\s+(?P<bare_queries>\d+)$"
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
        "Membuat laporan kartu dan buku blanko: selesai dalam 0:00",
        "ANALYZE: selesai dalam 0:00",
        "Mengukur halaman: 36/36 (100%), selesai dalam 0:00",
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
    assert all(int(m["queries"]) > 5 for m in rows)
    # The card journey of the 8 days: every regency every day, every kecamatan from the second.
    assert CardReport.objects.filter(regency__isnull=False).count() == 514 * 8
    assert CardReport.objects.filter(sub_district__isnull=False).count() == 7285 * 7

    output = _bench("--reuse", "--cards-compare", "--runs", "1")
    rows = [m for line in output.splitlines() if (m := COMPARISON_ROW.match(line))]
    assert len(rows) == 12
    assert all(float(m["cards"]) > 0 and float(m["bare"]) > 0 for m in rows)
    # The card data is back after the run without it.
    assert CardReport.objects.filter(regency__isnull=False).count() == 514 * 8

    assert "Dihapus" in _bench("--clear")
    assert not RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX).exists()
    assert not DailyCount.objects.filter(device__serial__startswith=SERIAL_PREFIX).exists()
    assert not EligiblePopulation.objects.filter(source=BENCH_SOURCE).exists()
    assert not CardReport.objects.exists()
    assert not BlankoMovement.objects.exists()
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


@pytest.fixture
def south_sumatra_only():
    """The country cut to South Sumatra (17 regencies, 241 kecamatan), rolled back with the
    test: the card generator's rules at a tiny scale."""
    SubDistrict.objects.exclude(regency__province="16").delete()
    Regency.objects.exclude(province="16").delete()
    Province.objects.exclude(code="16").delete()


def _running(amounts_by_day: dict) -> list[int]:
    return list(accumulate(amount for _, amount in sorted(amounts_by_day.items())))


def test_bench_cards_keep_every_rule_of_the_card_journey(south_sumatra_only):
    last = dt.date(2026, 6, 30)
    # A card report and a blanko receipt of an office, which the bench must leave alone.
    office_report = CardReport.objects.create(
        sub_district_id="16.09.01", date=dt.date(2026, 1, 5), received=30, handed_out=0
    )
    office_receipt = BlankoMovement.objects.create(
        regency_id="16.09",
        date=dt.date(2026, 1, 5),
        kind="receipt",
        quantity=700,
        reference="470/1",
    )
    BlankoStock.objects.create(regency_id="16.09", stock=700, reorder_point=300)

    written = bench_cards_generate(last=last, days=45, user=bench_user())

    regencies, kecamatan = Regency.objects.count(), SubDistrict.objects.count()
    assert (regencies, kecamatan) == (17, 241)
    # Every regency every day; every kecamatan from the second day (it receives the day after
    # its regency prints); receipts on days 1, 21 and 41; one use per regency report.
    assert written == {
        "regency_reports": 17 * 45,
        "kecamatan_reports": 241 * 44,
        "receipts": 17 * 3,
        "uses": 17 * 45,
    }
    bench = CardReport.objects.exclude(pk=office_report.pk)
    assert bench.filter(date__lt=dt.date(2026, 5, 17)).count() == 0
    assert bench.filter(date__gt=last).count() == 0
    receipts = BlankoMovement.objects.filter(kind="receipt").exclude(pk=office_receipt.pk)
    assert set(receipts.values_list("date", flat=True)) == {
        dt.date(2026, 5, 17),
        dt.date(2026, 6, 6),
        dt.date(2026, 6, 26),
    }
    assert all(r.startswith("BENCH/16.") for r in receipts.values_list("reference", flat=True))

    # The ledger: never negative at the end of any day, the stock its sum, one use per report.
    ledger = defaultdict(lambda: defaultdict(int))
    for regency, day, quantity in BlankoMovement.objects.values_list("regency", "date", "quantity"):
        ledger[regency][day] += quantity
    assert len(ledger) == 17
    assert all(min(_running(days)) >= 0 for days in ledger.values())
    stock = dict(BlankoStock.objects.values_list("regency", "stock"))
    assert stock == {regency: sum(days.values()) for regency, days in ledger.items()}
    for report in CardReport.objects.filter(regency__isnull=False).select_related("blanko_use"):
        assert report.blanko_use.quantity == -(report.printed + report.spoiled)

    # Printed never more than print-ready; a kecamatan hands out no more than it received, and
    # its regency's kecamatan together receive no more than the regency printed.
    printed, print_ready = defaultdict(dict), defaultdict(dict)
    for regency, day, ready, done in CardReport.objects.filter(regency__isnull=False).values_list(
        "regency", "date", "print_ready", "printed"
    ):
        print_ready[regency][day], printed[regency][day] = ready, done
    waiting, received_by_regency = defaultdict(dict), defaultdict(lambda: defaultdict(int))
    for code, day, received, handed_out in bench.filter(sub_district__isnull=False).values_list(
        "sub_district", "date", "received", "handed_out"
    ):
        waiting[code][day] = received - handed_out
        received_by_regency[code[:5]][day] += received
    for regency in printed:
        assert all(
            p <= r
            for p, r in zip(_running(printed[regency]), _running(print_ready[regency]), strict=True)
        )
        assert _running(received_by_regency[regency])[-1] <= _running(printed[regency])[-1]
    assert all(min(_running(days)) >= 0 for days in waiting.values())
    assert sum(waiting["16.09.02"].values()) > 0  # not everything is handed out at once

    # The dashboards' parents are the sums of their children.
    province = card_figures(area="16", as_of=last)
    children = card_figures_by_child(area="16", as_of=last).values()
    for column in ("print_ready", "printed", "received", "handed_out", "blanko_stock"):
        assert getattr(province, column) == sum(getattr(c, column) for c in children) > 0
    assert card_figures(area="", as_of=last) == province
    # The card report totals the dashboards read are the reports' sums, office report included.
    days, months = stored_sums()
    assert (days, months) == raw_sums()
    assert len(days) == 17 * 45 + 1 and len(months) == 17 * 2 + 1  # May and June, and January

    assert bench_cards_clear(user=bench_user()) == 17 * 45 + 241 * 44
    assert list(CardReport.objects.all()) == [office_report]
    assert (
        stored_sums()
        == raw_sums()
        == (
            {("16.09", dt.date(2026, 1, 5)): (0, 0, 0, 0, 0, 0, 30, 0, 1)},
            {("16.09", dt.date(2026, 1, 1)): (0, 0, 0, 0, 0, 0, 30, 0, 1)},
        )
    )
    assert list(BlankoMovement.objects.all()) == [office_receipt]
    assert list(BlankoStock.objects.values_list("regency", "stock", "reorder_point")) == [
        ("16.09", 700, 300)
    ]
