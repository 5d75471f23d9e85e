"""Card report totals per regency and day and per regency and month, kept exact in the
transaction of every write, so the national and province dashboards add a few rows instead of
millions of card reports.

Writes add *deltas* (`printed = printed + Δ`), as recording's rollups do, rather than
recomputing the touched rows from the reports: a regency's print office and its kecamatan save
under different locks (the regency's blanko stock, the kecamatan's region row), so two saves
for the same regency and day may run at once, and a recount done in one transaction would not
see the other's uncommitted report and overwrite its figures. Deltas commute: both land,
whichever commits first. `card_reports_save` applies its batch's deltas (the old figures are
those of the reports it locked); single ORM saves and deletes (fixtures, a shell, the demo's
reload) are caught by signals; bulk paths (the bench) call `card_rollups_refresh`, which
recomputes regencies from the reports (`manage.py card_rollups_refresh`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Coalesce, Left, TruncMonth
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from cards.choices import FIGURE_COLUMNS
from cards.models import CardReport, RegencyCardDailyTotal, RegencyCardMonthlyTotal
from districts.codes import REGENCY_CODE_LENGTH
from recording.services.rollups import CHUNK, month_start

ROLLUP_COLUMNS = (*FIGURE_COLUMNS, "reports")

# (regency code, day, Δ of each of ROLLUP_COLUMNS)
CardDelta = tuple[str, dt.date, tuple[int, ...]]


def report_regency(report: CardReport) -> str:
    """The regency whose totals a report adds to: its own, or its kecamatan's."""
    return report.regency_id or report.sub_district_id[:REGENCY_CODE_LENGTH]


def report_delta(report: CardReport, figures: dict[str, int | None], sign: int) -> CardDelta:
    """`figures` of `report` (its own, or old ones) as a delta of `sign` (+1 added, −1 gone)."""
    values = tuple(sign * (figures.get(column) or 0) for column in FIGURE_COLUMNS)
    return report_regency(report), report.date, (*values, sign)


def _upsert(model, day_column: str, rows: dict[tuple[str, dt.date], list[int]]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    # Sorted, so concurrent writers lock rollup rows in the same order (no deadlocks).
    items = sorted((code, day, *values) for (code, day), values in rows.items() if any(values))
    columns = ", ".join(ROLLUP_COLUMNS)
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in ROLLUP_COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * (2 + len(ROLLUP_COLUMNS))) + ")"
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (regency_id, {day_column}, {columns}) "
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT (regency_id, {day_column}) DO UPDATE SET {added}",
                [value for item in chunk for value in item],
            )


def card_rollup_apply(deltas: Iterable[CardDelta]) -> None:
    """Add a batch's changes to the day and month totals (call inside the write's
    transaction): two statements for up to CHUNK regency-days."""
    days: dict = defaultdict(lambda: [0] * len(ROLLUP_COLUMNS))
    months: dict = defaultdict(lambda: [0] * len(ROLLUP_COLUMNS))
    for regency, day, values in deltas:
        for bucket, key in ((days, (regency, day)), (months, (regency, month_start(day)))):
            totals = bucket[key]
            for index, value in enumerate(values):
                totals[index] += value
    _upsert(RegencyCardDailyTotal, "date", days)
    _upsert(RegencyCardMonthlyTotal, "month", months)


def _reports_by_regency_day(regencies: Iterable[str] | None = None):
    """The card reports' sums per regency and day (of `regencies` only, when given)."""
    regency = Coalesce(
        "regency_id", Left("sub_district_id", REGENCY_CODE_LENGTH), output_field=CharField()
    )
    reports = CardReport.objects.annotate(key=regency)
    if regencies is not None:
        reports = reports.filter(key__in=list(regencies))
    return (
        reports.values("key", "date")
        .annotate(
            **{f"sum_{column}": Coalesce(Sum(column), 0) for column in FIGURE_COLUMNS},
            sum_reports=Count("id"),
        )
        .order_by()
    )


def _insert_select(model, grouped, key: str, day: str) -> None:
    """INSERT ... SELECT of `grouped` (rows of key, day and sum_<column>), in one statement."""
    sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    day_column = "date" if model is RegencyCardDailyTotal else "month"
    columns = ", ".join(ROLLUP_COLUMNS)
    sums = ", ".join(f"sum_{column}" for column in ROLLUP_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (regency_id, {day_column}, {columns}) "
            f"SELECT {key}, {day}, {sums} FROM ({sql}) AS grouped",
            params,
        )


@transaction.atomic
def card_rollups_refresh(regencies: Iterable[str] | None = None) -> None:
    """Recompute the day and month totals of `regencies` (codes; None: every regency) from the
    card reports, in four statements: for bulk writes and deletes, and to rebuild."""
    codes = None if regencies is None else sorted(set(regencies))
    for model in (RegencyCardDailyTotal, RegencyCardMonthlyTotal):
        rows = model.objects.all()
        if codes is not None:
            rows = rows.filter(regency__in=codes)
        rows._raw_delete(connection.alias)
    _insert_select(RegencyCardDailyTotal, _reports_by_regency_day(codes), "key", "date")
    days = RegencyCardDailyTotal.objects.all()
    if codes is not None:
        days = days.filter(regency__in=codes)
    by_month = (
        days.annotate(first_day=TruncMonth("date"))
        .values("regency_id", "first_day")
        .annotate(**{f"sum_{column}": Sum(column) for column in ROLLUP_COLUMNS})
        .order_by()
    )
    _insert_select(RegencyCardMonthlyTotal, by_month, "regency_id", "first_day")


def card_rollup_differences() -> Iterator[tuple[str, str, dt.date, tuple, tuple]]:
    """Every (table, regency, day or month, stored, expected) where a total differs from the
    sum of the card reports."""
    expected_days = {
        (row["key"], row["date"]): tuple(row[f"sum_{column}"] for column in ROLLUP_COLUMNS)
        for row in _reports_by_regency_day()
    }
    expected_months: dict = defaultdict(lambda: (0,) * len(ROLLUP_COLUMNS))
    for (regency, day), values in expected_days.items():
        key = (regency, month_start(day))
        expected_months[key] = tuple(map(sum, zip(expected_months[key], values, strict=True)))
    for model, day_column, expected in (
        (RegencyCardMonthlyTotal, "month", expected_months),
        (RegencyCardDailyTotal, "date", expected_days),
    ):
        stored = {
            (regency, day): tuple(values)
            for regency, day, *values in model.objects.values_list(
                "regency_id", day_column, *ROLLUP_COLUMNS
            ).order_by()
            if any(values)
        }
        for key in sorted(stored.keys() | expected.keys()):
            zero = (0,) * len(ROLLUP_COLUMNS)
            have, want = stored.get(key, zero), expected.get(key, zero)
            if have != want:
                yield model._meta.db_table, key[0], key[1], have, want


# Single-row ORM writes (fixtures, shell sessions, the demo's reload) keep the totals exact too.


@receiver(pre_save, sender=CardReport, dispatch_uid="card_rollup_remember_old_report")
def _remember_old_report(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._rollup_before = (
        CardReport.objects.filter(pk=instance.pk).first() if instance.pk else None
    )


@receiver(post_save, sender=CardReport, dispatch_uid="card_rollup_after_save")
def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    deltas = [report_delta(instance, instance.figures(), +1)]
    if before := getattr(instance, "_rollup_before", None):
        deltas.append(report_delta(before, before.figures(), -1))
    card_rollup_apply(deltas)


@receiver(post_delete, sender=CardReport, dispatch_uid="card_rollup_after_delete")
def _after_delete(sender, instance, **kwargs):
    card_rollup_apply([report_delta(instance, instance.figures(), -1)])
