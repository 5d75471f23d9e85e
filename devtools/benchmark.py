"""A national-scale data set and timings of the dashboards on it (`manage.py bench`).

The data is generated inside the database with INSERT ... SELECT over recursive number series,
so eleven million rows take minutes, not hours. Every bench row is recognisable (device serials
start with `NAT-`, eligible figures carry BENCH_SOURCE, card reports and blanko movements are
written by the bench's user: see `devtools.bench_cards`) and `bench_clear` removes them.
"""

import datetime as dt
import gzip
import statistics
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cards.models import CardReport
from common.progress import ProgressCallback
from devtools.bench_cards import CARD_DAYS, bench_cards_clear, bench_cards_generate
from districts.models import Campaign, EligiblePopulation, Province, SubDistrict
from recording.models import DailyCount, DeviceStatusChange, RecordingDevice
from recording.services.rollups import daily_counts_delete, rollup_refresh

SERIAL_PREFIX = "NAT-"
BENCH_SOURCE = "Data uji beban (bench), bukan data nyata"
BENCH_USERNAME = "bench-admin"
MAX_DEVICES_PER_SUB_DISTRICT = 3


@dataclass
class BenchData:
    devices: int
    daily_counts: int
    first_day: dt.date
    last_day: dt.date
    seconds: float
    card_reports: int = 0


def _date_plus(days_sql: str) -> str:
    """SQL for `first_day + N days` on either database (`%(first)s` is the first day)."""
    if connection.vendor == "postgresql":
        return f"(%(first)s::date + ({days_sql})::int)"
    return f"date(%(first)s, '+' || ({days_sql}) || ' days')"


def _silent(label: str, done: int, total: int | None = None) -> None:
    pass


def bench_user():
    """The bench's superuser: it opens the timed pages and writes the bench's card data."""
    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def bench_cards_write(*, last: dt.date, days: int, progress: ProgressCallback | None = None) -> int:
    """The card journey of the last `days` days (at most CARD_DAYS) ending `last`; returns the
    number of card reports written."""
    (progress or _silent)("Membuat laporan kartu dan buku blanko", 0, None)
    written = bench_cards_generate(last=last, days=min(days, CARD_DAYS), user=bench_user())
    return written["regency_reports"] + written["kecamatan_reports"]


def bench_cards_remove(*, progress: ProgressCallback | None = None) -> int:
    (progress or _silent)("Menghapus laporan kartu bench", 0, None)
    return bench_cards_clear(user=bench_user())


def _period(queryset) -> tuple[dt.date, int] | None:
    """The last day and the number of days of `queryset`'s dates (None without any row)."""
    span = queryset.aggregate(first=Min("date"), last=Max("date"))
    if span["last"] is None:
        return None
    return span["last"], (span["last"] - span["first"]).days + 1


def bench_cards_period() -> tuple[dt.date, int] | None:
    """The period of the bench's card reports, so that they can be written again the same."""
    return _period(CardReport.objects.filter(created_by=bench_user()))


def bench_counts_period() -> tuple[dt.date, int] | None:
    """The period of the bench's daily counts (a set generated before the bench wrote cards)."""
    return _period(DailyCount.objects.filter(device__serial__startswith=SERIAL_PREFIX))


def bench_clear(*, progress: ProgressCallback | None = None) -> int:
    devices = RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX)
    with transaction.atomic():
        bench_cards_remove(progress=progress)
        (progress or _silent)("Menghapus data bench", 0, None)
        daily_counts_delete(DailyCount.objects.filter(device__in=devices))
        DeviceStatusChange.objects.filter(device__in=devices).delete()
        deleted, _ = devices.delete()
        EligiblePopulation.objects.filter(source=BENCH_SOURCE).delete()
    return deleted


def bench_generate(
    *, days: int = 730, today: dt.date | None = None, progress: ProgressCallback | None = None
) -> BenchData:
    """1-3 devices per sub-district (about 14,600), `days` days of counts ending `today`, and
    the card journey of the last year of them.

    Each step is one or two bulk statements: `progress` hears when each starts. The counts and
    the card data are two transactions: should the cards fail, `bench --reuse` adds them to
    the counts without generating those again."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    data = _bench_counts_generate(days=days, today=today, progress=progress)
    data.card_reports = bench_cards_write(last=today, days=days, progress=progress)
    data.seconds = time.perf_counter() - started
    return data


@transaction.atomic
def _bench_counts_generate(
    *, days: int, today: dt.date, progress: ProgressCallback | None
) -> BenchData:
    step = progress or _silent
    started = time.perf_counter()
    first = today - dt.timedelta(days=days - 1)
    params = {"first": first, "days": days, "prefix": SERIAL_PREFIX}
    with connection.cursor() as cursor:
        step("Membuat alat", 0, None)
        # Devices: 1 + (length of the kecamatan name mod 3), a fixed spread of 1 to 3.
        cursor.execute(
            f"""
            INSERT INTO recording_recordingdevice
                (serial, sub_district_id, label, status, daily_capacity, commissioned_on)
            WITH RECURSIVE n(i) AS (
                SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MAX_DEVICES_PER_SUB_DISTRICT}
            )
            SELECT %(prefix)s || sd.code || '-' || n.i, sd.code, 'Bench #' || n.i,
                   'operational', 150, %(first)s
            FROM districts_subdistrict sd
            JOIN n ON n.i <= 1 + length(sd.name) %% {MAX_DEVICES_PER_SUB_DISTRICT}
            """,
            params,
        )
        # Counts: a deterministic scramble of device id and day; about 2% of device-days have
        # no report at all, the rest 0-149 people.
        step("Membuat jumlah harian", 0, None)
        scramble = "((d.id * 7919 + n.i * 104729) % 1000)"
        cursor.execute(
            f"""
            INSERT INTO recording_dailycount
                (device_id, date, count, note, needs_follow_up, follow_up_reasons, version,
                 created_at, entered_at)
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %(days)s - 1)
            SELECT d.id, {_date_plus("n.i")}, {scramble.replace("%", "%%")} %% 150, '', FALSE, '',
                   1, %(now)s, %(now)s
            FROM recording_recordingdevice d CROSS JOIN n
            WHERE d.serial LIKE %(like)s AND {scramble.replace("%", "%%")} >= 20
            """,
            {**params, "now": timezone.now(), "like": f"{SERIAL_PREFIX}%"},
        )
    # Eligible figures sized so coverage spreads between about 55% and 110%.
    step("Membuat wajib KTP dan target", 0, None)
    per_sub_district = (
        DailyCount.objects.filter(device__serial__startswith=SERIAL_PREFIX)
        .values("device__sub_district")
        .annotate(devices=Count("device", distinct=True))
        .values_list("device__sub_district", "devices")
        .order_by()
    )
    average_recorded_per_device = 75 * days * 0.98
    EligiblePopulation.objects.bulk_create(
        [
            EligiblePopulation(
                sub_district_id=code,
                as_of=first,
                eligible=int(devices * average_recorded_per_device / (0.55 + (i % 12) * 0.05)),
                source=BENCH_SOURCE,
            )
            for i, (code, devices) in enumerate(per_sub_district)
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["sub_district", "as_of"],
        update_fields=["eligible", "source"],
    )
    Campaign.objects.bulk_create(
        [
            Campaign(
                regency_id=code,
                name="Bench",
                starts_on=first,
                deadline=today + dt.timedelta(days=90),
            )
            for code in SubDistrict.objects.values_list("regency", flat=True).distinct()
        ],
        ignore_conflicts=True,
    )
    # A few stations down, so the down-station figures have something to show.
    step("Mencatat alat rusak", 0, None)
    down = RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX, serial__endswith="-2")
    DeviceStatusChange.objects.bulk_create(
        [
            DeviceStatusChange(device_id=pk, status="broken", effective_on=today - dt.timedelta(9))
            for pk in down.values_list("pk", flat=True)[::40]
        ]
    )
    step("Menghitung rekap harian", 0, None)
    rollup_refresh("")
    devices = RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX).count()
    counts = DailyCount.objects.filter(device__serial__startswith=SERIAL_PREFIX).count()
    return BenchData(devices, counts, first, today, time.perf_counter() - started)


@dataclass
class PageTiming:
    label: str
    url: str
    median_ms: float
    p95_ms: float
    bytes: int
    gzip_bytes: int
    queries: int


def _bench_client() -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bench_user())
    return client


def bench_pages(
    *,
    as_of_days: list[dt.date | None],
    runs: int = 15,
    progress: ProgressCallback | None = None,
) -> list[PageTiming]:
    """Median and p95 server time of each dashboard level (warm cache), its weight, and the
    queries of one more request (counted apart, as counting slows the request)."""
    step = progress or _silent
    largest_province = (
        Province.objects.annotate(size=Count("regencies__sub_districts"))
        .order_by("-size")
        .values_list("code", flat=True)
        .first()
    )
    regency = (
        SubDistrict.objects.filter(regency__province=largest_province)
        .values("regency")
        .annotate(size=Count("code"))
        .order_by("-size")
        .values_list("regency", flat=True)
        .first()
    )
    sub_district = SubDistrict.objects.filter(regency=regency).values_list("code", flat=True)[0]
    pages = [
        ("nasional", "/wilayah/"),
        (f"provinsi {largest_province} (terbesar)", f"/wilayah/{largest_province}/"),
        (f"kabupaten {regency}", f"/wilayah/{regency}/"),
        (f"kecamatan {sub_district}", f"/wilayah/{sub_district}/"),
    ]
    client = _bench_client()
    results = []
    requests, total = 0, len(as_of_days) * len(pages) * (runs + 2)
    step("Mengukur halaman", requests, total)
    for as_of in as_of_days:
        suffix = f"?as_of={as_of:%Y-%m-%d}" if as_of else ""
        for label, path in pages:
            url = path + suffix
            response = client.get(url)  # warm-up
            assert response.status_code == 200, (url, response.status_code)
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            requests += runs + 2
            step("Mengukur halaman", requests, total)
            timings.sort()
            results.append(
                PageTiming(
                    label=f"{label}, {as_of or 'hari ini'}",
                    url=url,
                    median_ms=statistics.median(timings),
                    p95_ms=timings[max(0, round(0.95 * len(timings)) - 1)],
                    bytes=len(response.content),
                    gzip_bytes=len(gzip.compress(response.content)),
                    queries=len(queries),
                )
            )
    return results
