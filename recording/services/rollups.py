"""Daily totals per regency and per province, kept exact in the transaction of every write.

Writes add *deltas* (`recorded = recorded + Δ`), which commute: two offices saving counts of the
same regency at the same moment both land, whichever commits first. Single saves and deletes
through the ORM are caught by signals; bulk paths (the count service, the demo, the benchmarks)
call `rollup_apply` or `rollup_refresh` themselves. `rollup_rebuild` recomputes everything from
the counts and reports any difference (`manage.py rollup_rebuild`).
"""

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Left, TruncMonth
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from districts.codes import PROVINCE_CODE_LENGTH, REGENCY_CODE_LENGTH, area_q
from recording.models import (
    AreaMonthlyTotal,
    DailyCount,
    DailyCountRevision,
    DeviceMonthlyTotal,
    ProvinceDailyTotal,
    RegencyDailyTotal,
)

CHUNK = 500

# (device id, sub-district code, day, Δ recorded, Δ number of reports)
Delta = tuple[int, str, dt.date, int, int]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _upsert(model, key_column: str, day_column: str, rows: dict[tuple, list[int]]):
    table = connection.ops.quote_name(model._meta.db_table)
    # Sorted, so concurrent writers lock rollup rows in the same order (no deadlocks).
    items = sorted((code, day, r, n) for (code, day), (r, n) in rows.items() if r or n)
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params = [value for item in chunk for value in item]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {day_column}, recorded, reports) "
                f"VALUES {values} ON CONFLICT ({key_column}, {day_column}) DO UPDATE SET "
                f"recorded = {table}.recorded + excluded.recorded, "
                f"reports = {table}.reports + excluded.reports",
                params,
            )


def rollup_apply(deltas: Iterable[Delta]):
    """Add a batch's changes to the rollups (call inside the write's transaction)."""
    regencies: dict = defaultdict(lambda: [0, 0])
    provinces: dict = defaultdict(lambda: [0, 0])
    device_months: dict = defaultdict(lambda: [0, 0])
    area_months: dict = defaultdict(lambda: [0, 0])
    for device_id, code, day, recorded, reports in deltas:
        month = month_start(day)
        for bucket, key in (
            (regencies, (code[:REGENCY_CODE_LENGTH], day)),
            (provinces, (code[:PROVINCE_CODE_LENGTH], day)),
            (device_months, (device_id, month)),
            (area_months, (code[:REGENCY_CODE_LENGTH], month)),
            (area_months, (code[:PROVINCE_CODE_LENGTH], month)),
        ):
            totals = bucket[key]
            totals[0] += recorded
            totals[1] += reports
    _upsert(RegencyDailyTotal, "regency_id", "date", regencies)
    _upsert(ProvinceDailyTotal, "province_id", "date", provinces)
    _upsert(DeviceMonthlyTotal, "device_id", "month", device_months)
    _upsert(AreaMonthlyTotal, "area", "month", area_months)


def _counts_grouped(length: int, area_code: str = ""):
    counts = DailyCount.objects.all()
    if area_code:
        counts = counts.filter(area_q(area_code, "device__sub_district__code"))
    return (
        counts.annotate(area=Left("device__sub_district_id", length))
        .values("area", "date")
        .annotate(recorded=Sum("count"), reports=Count("id"))
        .order_by()
    )


def _area_filter(model, key: str, area_code: str):
    rows = model.objects.all()
    return rows.filter(area_q(area_code, key))


@transaction.atomic
def rollup_refresh(area_code: str = ""):
    """Recompute the rollups of every regency and province under `area_code` ("" = all).

    For bulk deletes and generated data, where deltas are not known row by row.
    """
    provinces = {area_code[:PROVINCE_CODE_LENGTH]} if area_code else None
    _area_filter(RegencyDailyTotal, "regency__code", area_code).delete()
    _insert_grouped(RegencyDailyTotal, "regency_id", REGENCY_CODE_LENGTH, area_code)
    # A province total covers all its regencies, so refresh whole provinces.
    province_prefix = next(iter(provinces)) if provinces else ""
    _area_filter(ProvinceDailyTotal, "province__code", province_prefix).delete()
    _insert_grouped(ProvinceDailyTotal, "province_id", PROVINCE_CODE_LENGTH, province_prefix)
    _refresh_area_months(area_code)
    device_months = DeviceMonthlyTotal.objects.all()
    if area_code:
        device_months = device_months.filter(area_q(area_code, "device__sub_district__code"))
    device_months.delete()
    sql, params = _device_months_grouped(area_code).query.sql_with_params()
    table = connection.ops.quote_name(DeviceMonthlyTotal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (device_id, month, recorded, reports) "
            f"SELECT device_id, month, recorded, reports FROM ({sql}) AS grouped",
            params,
        )


def _refresh_area_months(area_code: str):
    """Month rows of the regencies and provinces under `area_code`, from the daily totals."""
    province = area_code[:PROVINCE_CODE_LENGTH]
    months = AreaMonthlyTotal.objects.all()
    if area_code:
        months = months.filter(Q(area=province) | area_q(area_code, "area"))
    months.delete()
    table = connection.ops.quote_name(AreaMonthlyTotal._meta.db_table)
    for model, key in ((RegencyDailyTotal, "regency_id"), (ProvinceDailyTotal, "province_id")):
        rows = model.objects.all()
        if area_code:
            prefix = area_code if model is RegencyDailyTotal else province
            rows = rows.filter(area_q(prefix, f"{key.removesuffix('_id')}__code"))
        grouped = (
            rows.annotate(month=TruncMonth("date"))
            .values(key, "month")
            .annotate(recorded=Sum("recorded"), reports=Sum("reports"))
            .order_by()
        )
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (area, month, recorded, reports) "
                f"SELECT {key}, month, recorded, reports FROM ({sql}) AS grouped",
                params,
            )


def _device_months_grouped(area_code: str = ""):
    counts = DailyCount.objects.all()
    if area_code:
        counts = counts.filter(area_q(area_code, "device__sub_district__code"))
    return (
        counts.annotate(month=TruncMonth("date"))
        .values("device_id", "month")
        .annotate(recorded=Sum("count"), reports=Count("id"))
        .order_by()
    )


def _insert_grouped(model, key_column: str, length: int, area_code: str):
    """INSERT ... SELECT of the grouped counts, done by the database in one statement."""
    sql, params = _counts_grouped(length, area_code).query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, date, recorded, reports) "
            f"SELECT area, date, recorded, reports FROM ({sql}) AS grouped",
            params,
        )


@dataclass
class RollupDifference:
    table: str
    area: str
    date: dt.date
    stored: tuple[int, int]
    expected: tuple[int, int]


def rollup_differences(limit: int | None = None) -> list[RollupDifference]:
    """Every (area, day or month) where a rollup differs from the sum of the counts; the first
    `limit` of them when given (device months, then area months, then days)."""
    return list(itertools.islice(_rollup_differences(), limit))


def _rollup_differences() -> Iterator[RollupDifference]:
    expected_months = {
        (row["device_id"], row["month"]): (row["recorded"], row["reports"])
        for row in _device_months_grouped()
    }
    stored_months = {
        (device_id, month): (recorded, reports)
        for device_id, month, recorded, reports in DeviceMonthlyTotal.objects.values_list(
            "device_id", "month", "recorded", "reports"
        ).order_by()
        if recorded or reports
    }
    for device_id, month in sorted(expected_months.keys() | stored_months.keys()):
        want = expected_months.get((device_id, month), (0, 0))
        have = stored_months.get((device_id, month), (0, 0))
        if want != have:
            yield RollupDifference(
                DeviceMonthlyTotal._meta.db_table, str(device_id), month, have, want
            )
    stored_areas = {
        (area, month): (recorded, reports)
        for area, month, recorded, reports in AreaMonthlyTotal.objects.values_list(
            "area", "month", "recorded", "reports"
        ).order_by()
        if recorded or reports
    }
    expected_areas = {}
    for length in (REGENCY_CODE_LENGTH, PROVINCE_CODE_LENGTH):
        for row in (
            DailyCount.objects.annotate(
                area=Left("device__sub_district_id", length), month=TruncMonth("date")
            )
            .values("area", "month")
            .annotate(recorded=Sum("count"), reports=Count("id"))
            .order_by()
        ):
            expected_areas[(row["area"], row["month"])] = (row["recorded"], row["reports"])
    for area, month in sorted(expected_areas.keys() | stored_areas.keys()):
        want = expected_areas.get((area, month), (0, 0))
        have = stored_areas.get((area, month), (0, 0))
        if want != have:
            yield RollupDifference(AreaMonthlyTotal._meta.db_table, area, month, have, want)
    for model, key, length in (
        (RegencyDailyTotal, "regency_id", REGENCY_CODE_LENGTH),
        (ProvinceDailyTotal, "province_id", PROVINCE_CODE_LENGTH),
    ):
        expected = {
            (row["area"], row["date"]): (row["recorded"], row["reports"])
            for row in _counts_grouped(length)
        }
        stored = {
            (area, day): (recorded, reports)
            for area, day, recorded, reports in model.objects.values_list(
                key, "date", "recorded", "reports"
            ).order_by()
            if recorded or reports
        }
        for area, day in sorted(expected.keys() | stored.keys()):
            want, have = expected.get((area, day), (0, 0)), stored.get((area, day), (0, 0))
            if want != have:
                yield RollupDifference(model._meta.db_table, area, day, have, want)


def rollup_rebuild() -> list[RollupDifference]:
    """Recompute both rollups from the counts; returns what was wrong before."""
    differences = rollup_differences()
    rollup_refresh("")
    return differences


def daily_counts_delete(counts) -> int:
    """Delete counts (and their change history) in bulk and refresh the rollups they touched."""
    with transaction.atomic():
        areas = set(
            counts.annotate(area=Left("device__sub_district_id", REGENCY_CODE_LENGTH))
            .values_list("area", flat=True)
            .distinct()
            .order_by()
        )
        ids = counts.values("pk")
        DailyCountRevision.objects.filter(daily_count__in=ids)._raw_delete(connection.alias)
        deleted = DailyCount.objects.filter(pk__in=ids)._raw_delete(connection.alias)
        by_province = defaultdict(list)
        for area in areas:
            by_province[area[:PROVINCE_CODE_LENGTH]].append(area)
        for province, regencies in sorted(by_province.items()):
            for area in [province] if len(regencies) > 1 else regencies:
                rollup_refresh(area)
    return deleted


# Single-row ORM writes (fixtures, shell sessions, future code) keep the rollups exact too.


@receiver(pre_save, sender=DailyCount, dispatch_uid="rollup_remember_old_count")
def _remember_old_count(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._rollup_before = (
        DailyCount.objects.filter(pk=instance.pk)
        .values_list("device__sub_district_id", "date", "count", "device_id")
        .first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=DailyCount, dispatch_uid="rollup_after_save")
def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    code = instance.device.sub_district_id
    before = getattr(instance, "_rollup_before", None)
    deltas = [(instance.device_id, code, instance.date, instance.count, 1)]
    if before:
        deltas.append((before[3], before[0], before[1], -before[2], -1))
    rollup_apply(deltas)


@receiver(post_delete, sender=DailyCount, dispatch_uid="rollup_after_delete")
def _after_delete(sender, instance, **kwargs):
    rollup_apply(
        [(instance.device_id, instance.device.sub_district_id, instance.date, -instance.count, -1)]
    )
