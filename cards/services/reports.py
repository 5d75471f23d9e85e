"""Writes of daily card reports: one set of rules for the entry grid, an upload and the command.

`card_reports_check` returns every problem of a batch (row and column); `card_reports_save`
checks again inside a transaction with the regencies' blanko stock, the kecamatan and the
existing reports locked, then writes every row or none: the reports, a revision for each
change, and each regency-day's blanko use kept equal to its printed + spoiled.

The rules: an area's level decides its columns (a regency's print office: print-ready,
duplicates, failed, printed, spoiled, suket; a kecamatan: received, handed out); no negative
figure; no day in the future or before the regency's recording campaign began; one report per
area and day in a batch; only users whose area covers the area; printing + spoiling never
more than the blanko in stock, and handing out never more than the cards that reached the
kecamatan, on the report's day and on every later day (an edit of a past day moves them all).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from cards.choices import FIGURE_COLUMNS, REGENCY_COLUMNS, SUB_DISTRICT_COLUMNS, MovementKind
from cards.models import BlankoMovement, CardReport, CardReportRevision
from cards.services.access import area_writable, user_or_none
from cards.services.balances import balances_after
from cards.services.blanko import apply_stock_changes, blanko_balances, stocks_locked
from cards.services.rollups import card_rollup_apply, report_delta
from common.days import format_day
from common.formatting import fmt_int
from common.validators import known_day_error
from districts.models import Regency, SubDistrict
from districts.selectors import campaign_starts_by_regency, user_scope
from recording.models import EntrySource
from recording.services.counts import ActionCounts, Problem

AREA, DATE = "area", "date"
WRITE_PERMISSION = "cards.change_cardreport"


@dataclass
class ReportRow:
    """One area's figures for one day, as typed or read from a file (None: not reported).

    `seen_version` is the version the form showed (0: no report yet); None skips the check
    for a change made meanwhile (a file is checked as a whole instead).
    """

    line: int
    area: Regency | SubDistrict
    date: dt.date
    figures: dict[str, int | None]
    seen_version: int | None = None
    existing: CardReport | None = None
    # The blanko use movement of an existing regency report (written with it).
    use: BlankoMovement | None = None
    action: str = ""

    @property
    def is_regency(self) -> bool:
        return isinstance(self.area, Regency)

    @property
    def regency_code(self) -> str:
        return self.area.code if self.is_regency else self.area.regency_id

    @property
    def key(self) -> tuple[str, dt.date]:
        return (self.area.code, self.date)

    def value(self, column: str) -> int:
        return self.figures.get(column) or 0

    def stored(self) -> dict[str, int | None]:
        """Every column of its level, as it will be stored."""
        columns = REGENCY_COLUMNS if self.is_regency else SUB_DISTRICT_COLUMNS
        return {column: self.figures.get(column) for column in columns}

    def blanko_used(self) -> int:
        return self.value("printed") + self.value("spoiled")


@dataclass
class ReportCheck(ActionCounts):
    rows: list[ReportRow]
    errors: list[Problem] = field(default_factory=list)


class CardReportsRejected(Exception):
    """Nothing was written; `check.errors` names every problem by row and column."""

    def __init__(self, check: ReportCheck):
        self.check = check
        super().__init__("\n".join(str(problem) for problem in check.errors))


def _area_label(row: ReportRow) -> str:
    return f"{row.area.code} {row.area.name}"


def _row_problems(row: ReportRow, today, campaign_starts, writable) -> list[Problem]:
    problems = []
    line, label = row.line, _area_label(row)
    if not writable:
        problems.append(
            Problem(
                line,
                AREA,
                gettext(
                    "%(area)s di luar wilayah kerja Anda; laporannya hanya boleh diisi petugas "
                    "wilayah itu."
                )
                % {"area": label},
            )
        )
    if error := known_day_error(row.date):
        problems.append(Problem(line, DATE, error))
    elif row.date > today:
        problems.append(
            Problem(
                line,
                DATE,
                gettext("%(area)s: tanggal %(day)s belum terjadi (hari ini %(today)s).")
                % {"area": label, "day": format_day(row.date), "today": format_day(today)},
            )
        )
    start = campaign_starts.get(row.regency_code)
    if start and row.date < start:
        problems.append(
            Problem(
                line,
                DATE,
                gettext(
                    "%(area)s: perekaman di wilayah ini baru dimulai %(start)s; tanggal %(day)s "
                    "terlalu awal."
                )
                % {"area": label, "start": format_day(start), "day": format_day(row.date)},
            )
        )
    other_level = SUB_DISTRICT_COLUMNS if row.is_regency else REGENCY_COLUMNS
    for column in FIGURE_COLUMNS:
        value = row.figures.get(column)
        if value is None:
            continue
        if column in other_level:
            message = (
                gettext("%(area)s adalah kabupaten/kota; kolom %(column)s diisi kecamatan.")
                if row.is_regency
                else gettext(
                    "%(area)s adalah kecamatan; kolom %(column)s diisi kabupaten/kota "
                    "(kantor percetakan Dukcapil)."
                )
            )
            problems.append(Problem(line, column, message % {"area": label, "column": column}))
        elif value < 0:
            problems.append(
                Problem(
                    line,
                    column,
                    gettext("%(area)s: %(value)s negatif; angka tidak boleh kurang dari 0.")
                    % {"area": label, "value": value},
                )
            )
    return problems


def _existing_reports(
    rows: list[ReportRow], *, lock: bool
) -> dict[tuple[str, dt.date], CardReport]:
    if not rows:
        return {}
    first, last = min(r.date for r in rows), max(r.date for r in rows)
    regencies = {r.area.code for r in rows if r.is_regency}
    sub_districts = {r.area.code for r in rows if not r.is_regency}
    queryset = CardReport.objects.filter(
        Q(regency__in=regencies) | Q(sub_district__in=sub_districts), date__range=(first, last)
    )
    if lock:
        # Without the default ordering, which would join the (nullable) region tables.
        queryset = queryset.select_for_update(of=("self",)).order_by("pk")
    return {(report.area_code, report.date): report for report in queryset}


def _blanko_problems(rows: list[ReportRow]) -> list[Problem]:
    """Printing + spoiling beyond the blanko in stock on the report's day, or an edit that
    leaves a later day short."""
    changes: dict[tuple[str, dt.date], int] = {}
    for row in rows:
        old = row.use.quantity if row.use else 0
        changes[(row.area.code, row.date)] = -row.blanko_used() - old
    if not changes:
        return []
    problems, blamed = [], set()
    by_key = {row.key: row for row in rows}
    for regency, balances in blanko_balances(changes).items():
        last_changed = None
        for day, balance in balances:
            row = by_key.get((regency, day))
            if row is not None:
                last_changed = row
                if balance < 0:
                    blamed.add(id(row))
                    problems.append(
                        Problem(
                            row.line,
                            "printed",
                            gettext(
                                "Blanko tidak cukup: stok %(stock)s, dicetak %(printed)s + "
                                "rusak %(spoiled)s."
                            )
                            % {
                                "stock": fmt_int(balance + row.blanko_used()),
                                "printed": fmt_int(row.value("printed")),
                                "spoiled": fmt_int(row.value("spoiled")),
                            },
                        )
                    )
            elif balance < 0 and id(last_changed) not in blamed:
                blamed.add(id(last_changed))
                problems.append(
                    Problem(
                        last_changed.line,
                        "printed",
                        gettext(
                            "Blanko tidak cukup: dicetak %(printed)s + rusak %(spoiled)s pada "
                            "%(day)s membuat stok pada %(later)s menjadi %(stock)s."
                        )
                        % {
                            "printed": fmt_int(last_changed.value("printed")),
                            "spoiled": fmt_int(last_changed.value("spoiled")),
                            "day": format_day(last_changed.date),
                            "later": format_day(day),
                            "stock": fmt_int(balance),
                        },
                    )
                )
    return problems


def _cards_at_sub_district(changes: dict[tuple[str, dt.date], int]):
    day_sums = (
        CardReport.objects.filter(sub_district__in={code for code, _day in changes})
        .annotate(
            net=Coalesce(F("received"), Value(0)) - Coalesce(F("handed_out"), Value(0)),
        )
        .values_list("sub_district", "date", "net")
        .order_by()
    )
    return balances_after(day_sums, changes)


def _handout_problems(rows: list[ReportRow]) -> list[Problem]:
    """Handing out more cards than reached the kecamatan (received − already handed out), on
    the report's day or, through an edit of a past day, on any later day."""

    def net(figures) -> int:
        return (figures.get("received") or 0) - (figures.get("handed_out") or 0)

    changes = {
        row.key: net(row.figures) - (net(row.existing.figures()) if row.existing else 0)
        for row in rows
    }
    if not changes:
        return []
    problems, blamed = [], set()
    by_key = {row.key: row for row in rows}
    for code, balances in _cards_at_sub_district(changes).items():
        last_changed = None
        for day, balance in balances:
            row = by_key.get((code, day))
            if row is not None:
                last_changed = row
            if balance >= 0 or id(last_changed) in blamed:
                continue
            blamed.add(id(last_changed))
            values = {
                "area": _area_label(last_changed),
                "handed_out": fmt_int(last_changed.value("handed_out")),
                "day": format_day(last_changed.date),
            }
            if row is not None:
                message = gettext(
                    "Kartu di %(area)s tidak cukup: tersedia %(available)s (diterima dikurangi "
                    "yang sudah dibagikan), dibagikan %(handed_out)s."
                ) % {**values, "available": fmt_int(balance + row.value("handed_out"))}
            else:
                message = gettext(
                    "Kartu di %(area)s tidak cukup: dibagikan %(handed_out)s pada %(day)s "
                    "membuat kartu tersedia pada %(later)s menjadi %(cards)s."
                ) % {**values, "later": format_day(day), "cards": fmt_int(balance)}
            problems.append(Problem(last_changed.line, "handed_out", message))
    return problems


def card_reports_check(
    *, rows: list[ReportRow], user, today: dt.date | None = None, lock: bool = False
) -> ReportCheck:
    """Every problem of a batch, in a fixed number of queries. `user` None: the system (a
    command run by the server's administrator), which may write every area."""
    today = today or timezone.localdate()
    check = ReportCheck(rows=rows)
    scope = user_scope(user) if user is not None else None
    may_write = user is None or user.has_perm(WRITE_PERMISSION)
    campaign_starts = campaign_starts_by_regency({row.regency_code for row in rows})
    seen: dict[tuple[str, dt.date], int] = {}
    valid = []
    for row in rows:
        row.existing, row.use, row.action = None, None, ""
        writable = may_write and area_writable(user, WRITE_PERMISSION, row.area.code, scope)
        problems = _row_problems(row, today, campaign_starts, writable)
        if row.key in seen:
            problems.append(
                Problem(
                    row.line,
                    AREA,
                    gettext(
                        "%(area)s tanggal %(day)s sudah ada di baris %(line)s; satu wilayah "
                        "hanya satu laporan per hari."
                    )
                    % {
                        "area": _area_label(row),
                        "day": format_day(row.date),
                        "line": seen[row.key],
                    },
                )
            )
        else:
            seen[row.key] = row.line
        check.errors.extend(problems)
        if not problems:
            valid.append(row)
    existing = _existing_reports(valid, lock=lock)
    for row in valid:
        row.existing = existing.get(row.key)
        stored_version = row.existing.version if row.existing else 0
        if row.seen_version is not None and row.seen_version != stored_version:
            check.errors.append(
                Problem(
                    row.line,
                    AREA,
                    gettext(
                        "%(area)s tanggal %(day)s sudah diubah orang lain sejak halaman ini "
                        "dibuka; muat ulang dan periksa angkanya."
                    )
                    % {"area": _area_label(row), "day": format_day(row.date)},
                )
            )
        if row.existing is None:
            # A line with every figure blank says "not reported", as no report does: a filled
            # template's untouched lines write nothing.
            reported = any(value is not None for value in row.stored().values())
            row.action = "create" if reported else "unchanged"
        elif row.existing.figures() == row.stored():
            row.action = "unchanged"
        else:
            row.action = "update"
    changing = [row for row in valid if row.action in ("create", "update")]
    if changing:
        edited = [row for row in changing if row.existing and row.is_regency]
        if edited:
            uses = {
                movement.report_id: movement
                for movement in BlankoMovement.objects.filter(
                    report__in=[row.existing for row in edited]
                )
            }
            for row in edited:
                row.use = uses.get(row.existing.pk)
        check.errors += _blanko_problems([row for row in changing if row.is_regency])
        check.errors += _handout_problems([row for row in changing if not row.is_regency])
    check.errors.sort(key=lambda problem: problem.line)
    return check


def card_reports_save(
    *,
    rows: list[ReportRow],
    user,
    source: str = EntrySource.FORM,
    today: dt.date | None = None,
    upload=None,
) -> ReportCheck:
    """Save a batch all-or-nothing; raise `CardReportsRejected` (writing nothing) when any row
    may not be saved.

    The regencies' blanko stock rows and the kecamatan are locked before the check, so two
    saves that touch the same stock or the same kecamatan's cards are checked one after the
    other (the kecamatan's region row is the one thing every report of it shares). `upload`:
    the upload being saved, which its revisions then name.
    """
    with transaction.atomic():
        regencies = {row.area.code for row in rows if row.is_regency}
        stocks = stocks_locked(regencies) if regencies else {}
        sub_districts = sorted({row.area.code for row in rows if not row.is_regency})
        list(SubDistrict.objects.select_for_update().filter(code__in=sub_districts))
        check = card_reports_check(rows=rows, user=user, today=today, lock=True)
        if check.errors:
            raise CardReportsRejected(check)
        _write(check, stocks, user=user_or_none(user), source=source, upload=upload)
    return check


def _write(check: ReportCheck, stocks, *, user, source: str, upload) -> None:
    now = timezone.now()
    creates = [row for row in check.rows if row.action == "create"]
    updates = [row for row in check.rows if row.action == "update"]
    new_reports = CardReport.objects.bulk_create(
        [
            CardReport(
                regency=row.area if row.is_regency else None,
                sub_district=None if row.is_regency else row.area,
                date=row.date,
                created_by=user,
                created_at=now,
                entered_by=user,
                entered_at=now,
                **row.stored(),
            )
            for row in creates
        ]
    )
    revisions = [
        CardReportRevision(
            report=report,
            old_values=None,
            new_values=row.stored(),
            changed_by=user,
            changed_at=now,
            source=source,
            upload=upload,
        )
        for row, report in zip(creates, new_reports, strict=True)
    ]
    changed = []
    deltas = [
        report_delta(report, row.stored(), +1)
        for row, report in zip(creates, new_reports, strict=True)
    ]
    for row in updates:
        report = row.existing
        # The report was locked by the check: its figures are the ones the totals hold.
        deltas += [
            report_delta(report, report.figures(), -1),
            report_delta(report, row.stored(), +1),
        ]
        revisions.append(
            CardReportRevision(
                report=report,
                old_values=report.figures(),
                new_values=row.stored(),
                changed_by=user,
                changed_at=now,
                source=source,
                upload=upload,
            )
        )
        for column, value in row.stored().items():
            setattr(report, column, value)
        report.version += 1
        report.entered_by, report.entered_at = user, now
        changed.append(report)
    CardReport.objects.bulk_update(
        changed, [*FIGURE_COLUMNS, "version", "entered_by", "entered_at"]
    )
    CardReportRevision.objects.bulk_create(revisions)
    card_rollup_apply(deltas)
    # A regency-day's blanko use follows its report, and the stock follows the use.
    stock_deltas: dict[str, int] = defaultdict(int)
    new_uses, moved = [], []
    reports = [(row, report) for row, report in zip(creates, new_reports, strict=True)]
    reports += [(row, row.existing) for row in updates]
    for row, report in reports:
        if not row.is_regency:
            continue
        stock_deltas[row.area.code] += -row.blanko_used() - (row.use.quantity if row.use else 0)
        if row.use is None:
            new_uses.append(
                BlankoMovement(
                    regency=row.area,
                    date=row.date,
                    kind=MovementKind.USE,
                    quantity=-row.blanko_used(),
                    report=report,
                    created_by=user,
                    created_at=now,
                )
            )
        else:
            row.use.quantity = -row.blanko_used()
            moved.append(row.use)
    BlankoMovement.objects.bulk_create(new_uses)
    BlankoMovement.objects.bulk_update(moved, ["quantity"])
    apply_stock_changes(stocks, stock_deltas)
