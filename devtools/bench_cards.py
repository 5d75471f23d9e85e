"""The bench's card journey: a year of card reports for every regency and kecamatan of the
country, and a consistent blanko ledger, generated inside the database (`manage.py bench`).

Region codes are real, so the rows are marked by who wrote them: every card report and blanko
movement of the bench is created by the bench's own user (`bench-admin`), and its receipts also
carry a reference starting with RECEIPT_PREFIX. `bench_cards_clear` removes exactly those rows
and recounts the stock and the card report totals (cards/services/rollups.py) of the regencies
they touched; reports and movements of anyone else are left alone. Area-days that already have
a report are skipped. The bench writes raw rows (no report revisions, as the dashboards do not
read them) and then recomputes every regency's card report totals.

The figures (all deterministic):
- a regency reports every day: 20-199 records print-ready, 60-100% of them printed the same day
  (so printed never exceeds print-ready), 2% of the printed spoiled, a few duplicates and
  failures, 0-39 suket;
- each kecamatan receives, the day after, an equal share of what its regency printed (the
  remainder stays at the regency, awaiting hand-out), and hands out 50-90% of what it received
  the day before: what it hands out never exceeds what it has received;
- a blanko receipt on the first day of every RECEIPT_EVERY_DAYS, of what the regency uses in
  those days rounded up to 500 plus 500 spare, and one use movement per regency report of
  −(printed + spoiled): the stock is never negative on any day.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cards.choices import MovementKind
from cards.models import BlankoMovement, BlankoStock, CardReport
from cards.services.rollups import card_rollups_refresh

RECEIPT_PREFIX = "BENCH/"
RECEIPT_EVERY_DAYS = 20
CARD_DAYS = 365
# A number per area that the scramble can mix with the day: its code without the dots.
_CODE_NUMBER = "CAST(REPLACE({}, '.', '') AS BIGINT)"
_REPORT_COLUMNS = """
    (regency_id, sub_district_id, date, print_ready, duplicates, failed, printed, spoiled,
     suket_issued, received, handed_out, version, created_by_id, created_at, entered_by_id,
     entered_at)
"""


def _first_plus(days_sql: str) -> str:
    """SQL for the day `days_sql` days after `%(first)s`, on either database."""
    if connection.vendor == "postgresql":
        return f"(%(first)s::date + ({days_sql})::int)"
    return f"date(%(first)s, '+' || ({days_sql}) || ' days')"


def _day_after(column: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + {days})"
    return f"date({column}, '{days:+d} days')"


def _days_since_first(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - %(first)s::date)"
    return f"CAST(julianday({column}) - julianday(%(first)s) AS INTEGER)"


def _stock_recount(regencies) -> None:
    """Each regency's stock set to the sum of its movements (one statement)."""
    total = (
        BlankoMovement.objects.filter(regency=OuterRef("regency"))
        .order_by()
        .values("regency")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    BlankoStock.objects.filter(regency__in=regencies).update(
        stock=Coalesce(Subquery(total), 0, output_field=IntegerField()),
        updated_at=timezone.now(),
    )


@transaction.atomic
def bench_cards_generate(*, last: dt.date, days: int, user) -> dict[str, int]:
    """Card reports and the blanko ledger of the `days` days ending `last` (at most a year is
    what the bench asks for), written as `user`; returns the number of rows of each kind."""
    first = last - dt.timedelta(days=days - 1)
    params = {
        "first": first,
        "last": last,
        "days": days,
        "user": user.pk,
        "now": timezone.now(),
        "prefix": RECEIPT_PREFIX,
        "every": RECEIPT_EVERY_DAYS,
    }
    scramble = f"(({_CODE_NUMBER.format('r.code')} * 7919 + n.i * 104729) %% 1000)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO cards_cardreport {_REPORT_COLUMNS}
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %(days)s - 1),
            regency_day AS (
                SELECT r.code, {_first_plus("n.i")} AS date, {scramble} AS s,
                       20 + {scramble} %% 180 AS print_ready
                FROM districts_regency r CROSS JOIN n
            )
            SELECT code, NULL, date, print_ready, s %% 7, s %% 5, print_ready * (6 + s %% 5) / 10,
                   print_ready * (6 + s %% 5) / 10 / 50, s %% 40, NULL, NULL,
                   1, %(user)s, %(now)s, %(user)s, %(now)s
            FROM regency_day d
            WHERE NOT EXISTS (
                SELECT 1 FROM cards_cardreport c WHERE c.regency_id = d.code AND c.date = d.date
            )
            """,
            params,
        )
        if connection.vendor == "postgresql":
            # Planned on the statistics of an empty table, the next statement would scan the
            # regency reports once per kecamatan-day.
            cursor.execute("ANALYZE cards_cardreport")
        # A kecamatan's day d: a share of the regency's printing of d-1 received, and a part
        # of what it received on d-1 (its share of the printing of d-2) handed out.
        kecamatan_scramble = f"(({_CODE_NUMBER.format('sd.code')} * 7919 + printed.id) %% 1000)"
        cursor.execute(
            f"""
            INSERT INTO cards_cardreport {_REPORT_COLUMNS}
            SELECT NULL, sd.code, {_day_after("printed.date", 1)},
                   NULL, NULL, NULL, NULL, NULL, NULL,
                   printed.printed / size.n,
                   COALESCE(earlier.printed / size.n * (5 + {kecamatan_scramble} %% 5) / 10, 0),
                   1, %(user)s, %(now)s, %(user)s, %(now)s
            FROM districts_subdistrict sd
            JOIN (
                SELECT regency_id, COUNT(*) AS n FROM districts_subdistrict GROUP BY regency_id
            ) size ON size.regency_id = sd.regency_id
            JOIN cards_cardreport printed
              ON printed.regency_id = sd.regency_id AND printed.created_by_id = %(user)s
             AND printed.date >= %(first)s AND printed.date < %(last)s
            LEFT JOIN cards_cardreport earlier
              ON earlier.regency_id = sd.regency_id AND earlier.created_by_id = %(user)s
             AND earlier.date = {_day_after("printed.date", -1)}
            WHERE NOT EXISTS (
                SELECT 1 FROM cards_cardreport c
                WHERE c.sub_district_id = sd.code AND c.date = {_day_after("printed.date", 1)}
            )
            """,
            params,
        )
        bench_regency_reports = """
            FROM cards_cardreport r
            WHERE r.created_by_id = %(user)s AND r.regency_id IS NOT NULL
              AND r.date >= %(first)s AND r.date <= %(last)s
        """
        cursor.execute(
            f"""
            INSERT INTO cards_blankomovement
                (regency_id, date, kind, quantity, reference, reason, report_id, transfer_id,
                 created_by_id, created_at)
            SELECT regency_id, {_first_plus("%(every)s * w")}, 'receipt',
                   (SUM(used) + 499) / 500 * 500 + 500,
                   %(prefix)s || regency_id || '/' || w, '', NULL, NULL, %(user)s, %(now)s
            FROM (
                SELECT r.regency_id, {_days_since_first("r.date")} / %(every)s AS w,
                       r.printed + r.spoiled AS used
                {bench_regency_reports}
            ) use_by_window
            GROUP BY regency_id, w
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO cards_blankomovement
                (regency_id, date, kind, quantity, reference, reason, report_id, transfer_id,
                 created_by_id, created_at)
            SELECT r.regency_id, r.date, 'use', -(r.printed + r.spoiled), '', '', r.id, NULL,
                   %(user)s, %(now)s
            {bench_regency_reports}
            """,
            params,
        )
    regencies = BlankoMovement.objects.filter(created_by=user).values("regency").distinct()
    BlankoStock.objects.bulk_create(
        [BlankoStock(regency_id=row["regency"]) for row in regencies], ignore_conflicts=True
    )
    _stock_recount(regencies)
    # The bench touches every regency: their totals are recomputed from the reports.
    card_rollups_refresh()
    reports = CardReport.objects.filter(created_by=user)
    movements = BlankoMovement.objects.filter(created_by=user)
    return {
        "regency_reports": reports.filter(regency__isnull=False).count(),
        "kecamatan_reports": reports.filter(sub_district__isnull=False).count(),
        "receipts": movements.filter(kind=MovementKind.RECEIPT).count(),
        "uses": movements.filter(kind=MovementKind.USE).count(),
    }


@transaction.atomic
def bench_cards_clear(*, user) -> int:
    """The bench's card reports and blanko movements deleted, the stock of the regencies they
    touched recounted (a stock row left with no movement and no reorder point goes too);
    returns the number of card reports deleted."""
    movements = BlankoMovement.objects.filter(created_by=user)
    regencies = set(movements.values_list("regency", flat=True).distinct().order_by())
    movements.filter(kind=MovementKind.USE)._raw_delete(connection.alias)
    movements.filter(kind=MovementKind.RECEIPT, reference__startswith=RECEIPT_PREFIX)._raw_delete(
        connection.alias
    )
    deleted = CardReport.objects.filter(created_by=user)._raw_delete(connection.alias)
    _stock_recount(regencies)
    # Every bench kecamatan report lies in a regency with bench reports, hence bench uses.
    card_rollups_refresh(regencies)
    BlankoStock.objects.filter(regency__in=regencies, reorder_point__isnull=True, stock=0).exclude(
        regency__in=BlankoMovement.objects.values("regency")
    ).delete()
    return deleted
