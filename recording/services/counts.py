"""Writes of daily counts: one set of rules for the entry form, the upload page and the command.

`daily_counts_check` reads what it needs in a fixed number of bulk queries and returns every
error, warning and conflict of a batch; `daily_counts_save` re-checks inside a transaction with
the existing rows locked, then writes everything or nothing and keeps the old values.
"""

import bisect
import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from approvals.selectors import month_start, period_locks
from common.days import format_day
from common.formatting import fmt_int
from common.pg_copy import NULL, copy_lines, copy_text
from common.progress import ProgressCallback, progress_iter
from districts.codes import regency_code
from districts.models import EligiblePopulation
from districts.selectors import campaign_starts_by_regency
from recording.choices import DeviceStatus
from recording.models import (
    CountImport,
    DailyCount,
    DailyCountRevision,
    DeviceStatusChange,
    EntrySource,
    RecordingDevice,
)
from recording.services.rollups import rollup_apply
from recording.validators import NOTE_MAX_LENGTH

# A count above this many times the device's daily capacity cannot be real (a typo, an extra
# zero); above the capacity itself it is possible (overtime) but needs a second look.
HARD_LIMIT_FACTOR = 3
BATCH_SIZE = 2000
# The steps a long batch reports to a `progress` callback.
CHECK_LABEL = "Memeriksa aturan"
SAVE_LABEL = "Menyimpan"


class Column:
    DATE = "date"
    DEVICE = "device"
    COUNT = "count"
    NOTE = "note"


class FollowUp:
    """Why a saved count is marked for follow-up (stored on the row, shown on dashboards)."""

    OVER_CAPACITY = "di atas kapasitas"
    DEVICE_DOWN = "alat tercatat rusak"
    OVER_ELIGIBLE = "melebihi wajib KTP"


@dataclass
class Problem:
    """An error or warning about one line (file) or row (form); `column` names the field."""

    line: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            where = gettext("Baris %(line)s, kolom %(column)s") % {
                "line": self.line,
                "column": self.column,
            }
        else:
            where = gettext("Baris %(line)s") % {"line": self.line}
        return f"{where}: {self.message}"


@dataclass
class Existing:
    id: int
    count: int
    note: str
    version: int
    entered_by: str
    entered_at: dt.datetime | None


@dataclass
class CountRow:
    """One count to save. `seen_version` is what the form showed (0: no value yet); None skips
    the lost-update check (an upload is checked against its preview instead)."""

    line: int
    device: RecordingDevice
    date: dt.date
    count: int
    note: str = ""
    seen_version: int | None = None
    existing: Existing | None = None
    action: str = ""
    follow_up: list[str] = field(default_factory=list)


class ActionCounts:
    """How many of a checked batch's `rows` would be created, updated, or left as they are."""

    rows: list

    def _count(self, action):
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self._count("create")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")


@dataclass
class CountCheck(ActionCounts):
    rows: list[CountRow]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    conflicts: list[CountRow] = field(default_factory=list)

    @property
    def fingerprint_digest(self) -> str:
        """A hash of what the stored rows looked like (each device-day's version), to notice a
        change between a preview and its save; a hash, as a preview of 100.000 rows would not
        fit in a session."""
        versions = sorted(
            (r.device.pk, r.date.isoformat(), r.existing.version if r.existing else 0)
            for r in self.rows
        )
        return hashlib.sha256(json.dumps(versions, separators=(",", ":")).encode()).hexdigest()

    @property
    def warnings_digest(self) -> str:
        """Names this exact set of warnings, so a confirmation given for the warnings on a page
        does not cover different ones (a count changed after the box was ticked)."""
        text = "\n".join(f"{p.line}\t{p.column}\t{p.message}" for p in self.warnings)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


class CountsRejected(Exception):
    """Nothing was written: errors, conflicts, or warnings that were not confirmed."""

    def __init__(self, check: CountCheck, *, needs_confirmation: bool = False):
        self.check = check
        self.needs_confirmation = needs_confirmation
        super().__init__(
            "\n".join(str(p) for p in check.errors)
            or (gettext("Perlu konfirmasi.") if needs_confirmation else gettext("Data berubah."))
        )


def note_length_problem(note: str) -> str | None:
    """The one rule for a count's note, for the entry grid, uploads and this service."""
    if len(note) <= NOTE_MAX_LENGTH:
        return None
    return gettext("catatan %(length)s karakter; paling banyak %(limit)s.") % {
        "length": fmt_int(len(note)),
        "limit": fmt_int(NOTE_MAX_LENGTH),
    }


def _existing_counts(rows: list[CountRow], *, lock: bool) -> dict[tuple[int, dt.date], Existing]:
    if not rows:
        return {}
    device_ids = sorted({r.device.pk for r in rows})
    first, last = min(r.date for r in rows), max(r.date for r in rows)
    found = {}
    for start in range(0, len(device_ids), 1000):
        qs = DailyCount.objects.filter(
            device_id__in=device_ids[start : start + 1000], date__range=(first, last)
        )
        if lock:
            qs = qs.select_for_update(of=("self",))
        for values in qs.values_list(
            "id",
            "device_id",
            "date",
            "count",
            "note",
            "version",
            "entered_by__username",
            "entered_at",
        ).order_by():
            pk, device_id, date, count, note, version, username, entered_at = values
            found[(device_id, date)] = Existing(
                pk, count, note, version, username or "", entered_at
            )
    return found


def _status_timeline(device_ids: set[int]) -> dict[int, tuple[list[dt.date], list[str]]]:
    """Each device's status timeline as (sorted start days, statuses) for bisecting."""
    timeline: dict[int, tuple[list[dt.date], list[str]]] = defaultdict(lambda: ([], []))
    for device_id, day, status in (
        DeviceStatusChange.objects.filter(device_id__in=device_ids)
        .order_by("device_id", "effective_on", "id")
        .values_list("device_id", "effective_on", "status")
    ):
        days, statuses = timeline[device_id]
        days.append(day)
        statuses.append(status)
    return timeline


def _status_on(timeline, device_id: int, day: dt.date) -> str:
    days, statuses = timeline.get(device_id, ([], []))
    index = bisect.bisect_right(days, day) - 1
    return statuses[index] if index >= 0 else DeviceStatus.OPERATIONAL


def _check_rows(
    rows: list[CountRow],
    today: dt.date,
    timeline,
    errors: list[Problem],
    progress: ProgressCallback | None = None,
) -> list[CountRow]:
    """Rules of a single row and duplicates; returns the rows that passed."""
    campaign_starts = campaign_starts_by_regency({r.device.sub_district.regency_id for r in rows})
    seen_lines: dict[tuple[int, dt.date], int] = {}
    valid = []
    for row in progress_iter(rows, progress, CHECK_LABEL, total=len(rows)):
        device, problems = row.device, []
        key = (device.pk, row.date)
        if key in seen_lines:
            problems.append(
                Problem(
                    row.line,
                    Column.DEVICE,
                    gettext(
                        "alat %(serial)s tanggal %(date)s sudah ada di baris %(line)s; satu alat "
                        "hanya satu jumlah per hari."
                    )
                    % {
                        "serial": device.serial,
                        "date": format_day(row.date),
                        "line": seen_lines[key],
                    },
                )
            )
        else:
            seen_lines[key] = row.line
        if row.date > today:
            problems.append(
                Problem(
                    row.line,
                    Column.DATE,
                    gettext("alat %(serial)s: tanggal %(date)s belum terjadi (hari ini %(today)s).")
                    % {
                        "serial": device.serial,
                        "date": format_day(row.date),
                        "today": format_day(today),
                    },
                )
            )
        if row.date < device.commissioned_on:
            problems.append(
                Problem(
                    row.line,
                    Column.DATE,
                    gettext(
                        "alat %(serial)s baru beroperasi sejak %(since)s; tanggal %(date)s "
                        "terlalu awal."
                    )
                    % {
                        "serial": device.serial,
                        "since": format_day(device.commissioned_on),
                        "date": format_day(row.date),
                    },
                )
            )
        start = campaign_starts.get(device.sub_district.regency_id)
        if start and row.date < start:
            problems.append(
                Problem(
                    row.line,
                    Column.DATE,
                    gettext(
                        "alat %(serial)s: perekaman di wilayah ini baru dimulai %(start)s; "
                        "tanggal %(date)s terlalu awal."
                    )
                    % {
                        "serial": device.serial,
                        "start": format_day(start),
                        "date": format_day(row.date),
                    },
                )
            )
        if _status_on(timeline, device.pk, row.date) == DeviceStatus.RETIRED:
            problems.append(
                Problem(
                    row.line,
                    Column.DATE,
                    gettext(
                        "alat %(serial)s sudah dipensiunkan pada %(date)s; catat jumlahnya pada "
                        "alat penggantinya."
                    )
                    % {"serial": device.serial, "date": format_day(row.date)},
                )
            )
        if row.count < 0:
            problems.append(
                Problem(
                    row.line,
                    Column.COUNT,
                    gettext("alat %(serial)s: %(count)s negatif; jumlah tidak boleh kurang dari 0.")
                    % {"serial": device.serial, "count": fmt_int(row.count)},
                )
            )
        if problem := note_length_problem(row.note):
            problems.append(
                Problem(
                    row.line,
                    Column.NOTE,
                    gettext("alat %(serial)s: %(problem)s")
                    % {"serial": device.serial, "problem": problem},
                )
            )
        limit = device.daily_capacity * HARD_LIMIT_FACTOR
        if row.count > limit:
            problems.append(
                Problem(
                    row.line,
                    Column.COUNT,
                    gettext(
                        "%(count)s untuk alat %(serial)s melebihi batas %(limit)s (%(factor)s× "
                        "kapasitas harian %(capacity)s)."
                    )
                    % {
                        "count": fmt_int(row.count),
                        "serial": device.serial,
                        "limit": fmt_int(limit),
                        "factor": HARD_LIMIT_FACTOR,
                        "capacity": fmt_int(device.daily_capacity),
                    },
                )
            )
        errors.extend(problems)
        if not problems:
            valid.append(row)
    return valid


def _check_eligible(rows: list[CountRow], today: dt.date, warnings: list[Problem]):
    """Warn where a sub-district's total would pass its eligible population."""
    changing = [r for r in rows if r.action in ("create", "update")]
    if not changing:
        return
    sub_districts = {r.device.sub_district_id for r in changing}
    totals = dict(
        DailyCount.objects.filter(device__sub_district__in=sub_districts)
        .values("device__sub_district")
        .annotate(total=Sum("count"))
        .values_list("device__sub_district", "total")
        .order_by()
    )
    eligible = dict(
        EligiblePopulation.objects.current(today)
        .filter(sub_district__in=sub_districts)
        .values_list("sub_district", "eligible")
    )
    delta: dict[str, int] = defaultdict(int)
    for row in changing:
        delta[row.device.sub_district_id] += row.count - (row.existing.count if row.existing else 0)
    for row in changing:
        code = row.device.sub_district_id
        new_total = (totals.get(code) or 0) + delta[code]
        grew = row.count > (row.existing.count if row.existing else 0)
        if code in eligible and new_total > eligible[code] and grew:
            row.follow_up.append(FollowUp.OVER_ELIGIBLE)
            warnings.append(
                Problem(
                    row.line,
                    Column.COUNT,
                    gettext(
                        "alat %(serial)s: total terekam Kec. %(sub_district)s akan menjadi "
                        "%(total)s, melebihi wajib KTP %(eligible)s."
                    )
                    % {
                        "serial": row.device.serial,
                        "sub_district": row.device.sub_district.name,
                        "total": fmt_int(new_total),
                        "eligible": fmt_int(eligible[code]),
                    },
                )
            )


def _check_locked(rows: list[CountRow], errors: list[Problem]) -> None:
    """An error for each count that would change a month its regency has approved (one query,
    none when nothing would change); re-sending a locked month's stored figures is no change."""
    changing = [r for r in rows if r.action in ("create", "update")]
    locks = period_locks((regency_code(r.device.sub_district_id), r.date) for r in changing)
    for row in changing:
        lock = locks.get((regency_code(row.device.sub_district_id), month_start(row.date)))
        if lock is not None:
            errors.append(
                Problem(
                    row.line,
                    Column.DATE,
                    gettext("alat %(serial)s tanggal %(date)s: %(lock)s")
                    % {
                        "serial": row.device.serial,
                        "date": format_day(row.date),
                        "lock": lock.message,
                    },
                )
            )


def daily_counts_check(
    *,
    rows: list[CountRow],
    today: dt.date | None = None,
    lock: bool = False,
    progress: ProgressCallback | None = None,
) -> CountCheck:
    """Every error, warning and conflict of a batch, in a fixed number of queries. `progress`
    (a command's terminal line, an upload's progress bar) is told how many rows were checked."""
    today = today or timezone.localdate()
    check = CountCheck(rows=rows)
    for row in rows:
        row.existing, row.action, row.follow_up = None, "", []
    prefetch_related_objects([r.device for r in rows], "sub_district")
    timeline = _status_timeline({r.device.pk for r in rows})
    valid = _check_rows(rows, today, timeline, check.errors, progress)
    existing = _existing_counts(valid, lock=lock)
    for row in valid:
        row.existing = existing.get((row.device.pk, row.date))
        if row.existing is None:
            row.action = "create"
        elif row.existing.count == row.count and row.existing.note == row.note:
            row.action = "unchanged"
            continue
        else:
            row.action = "update"
        stored_version = row.existing.version if row.existing else 0
        if row.seen_version is not None and row.seen_version != stored_version:
            check.conflicts.append(row)
        device = row.device
        if row.count > device.daily_capacity:
            row.follow_up.append(FollowUp.OVER_CAPACITY)
            check.warnings.append(
                Problem(
                    row.line,
                    Column.COUNT,
                    gettext("%(count)s di atas kapasitas harian alat %(serial)s (%(capacity)s).")
                    % {
                        "count": fmt_int(row.count),
                        "serial": device.serial,
                        "capacity": fmt_int(device.daily_capacity),
                    },
                )
            )
        status = _status_on(timeline, device.pk, row.date)
        if status in DeviceStatus.down() and row.count > 0:
            row.follow_up.append(FollowUp.DEVICE_DOWN)
            check.warnings.append(
                Problem(
                    row.line,
                    Column.COUNT,
                    gettext(
                        "alat %(serial)s tercatat %(status)s pada %(date)s, tetapi ada %(count)s "
                        "terekam."
                    )
                    % {
                        "serial": device.serial,
                        "status": DeviceStatus(status).label.lower(),
                        "date": format_day(row.date),
                        "count": fmt_int(row.count),
                    },
                )
            )
    _check_locked(valid, check.errors)
    _check_eligible(valid, today, check.warnings)
    check.errors.sort(key=lambda p: p.line)
    check.warnings.sort(key=lambda p: p.line)
    return check


def daily_counts_save(
    *,
    rows: list[CountRow],
    user,
    source: str = EntrySource.FORM,
    confirm: bool = False,
    confirmed_warnings: str | None = None,
    count_import: CountImport | None = None,
    expected_digest: str | None = None,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
    _retried: bool = False,
) -> CountCheck:
    """Save a batch all-or-nothing; raise `CountsRejected` (writing nothing) when it may not be.

    Existing rows are locked while they are compared and written, so a value changed by someone
    else after the form was opened (or after the upload was previewed) is never overwritten.
    With `confirmed_warnings` (the `warnings_digest` of the warnings the user was shown),
    `confirm` covers only those warnings; an upload's warnings are pinned by its
    `fingerprint_digest` (`expected_digest`).
    """
    try:
        with transaction.atomic():
            check = daily_counts_check(rows=rows, today=today, lock=True, progress=progress)
            if check.errors or check.conflicts:
                raise CountsRejected(check)
            if expected_digest is not None and check.fingerprint_digest != expected_digest:
                check.conflicts = [r for r in rows if r.action != "unchanged"]
                raise CountsRejected(check)
            confirmed = confirm and confirmed_warnings in (None, check.warnings_digest)
            if check.warnings and not confirmed:
                raise CountsRejected(check, needs_confirmation=True)
            _write(check, user=user, source=source, count_import=count_import, progress=progress)
    except IntegrityError:
        # Someone else created one of these device-days between our check and our insert.
        if _retried:
            raise
        planned = {id(r) for r in rows if r.action == "create"}
        check = daily_counts_check(rows=rows, today=today)
        check.conflicts = check.conflicts or [
            r for r in rows if id(r) in planned and r.action == "update"
        ]
        if check.errors or check.conflicts:
            raise CountsRejected(check) from None
        # They stored exactly what we meant to: nothing is lost by trying once more.
        return daily_counts_save(
            rows=rows,
            user=user,
            source=source,
            confirm=confirm,
            confirmed_warnings=confirmed_warnings,
            count_import=count_import,
            expected_digest=expected_digest,
            today=today,
            progress=progress,
            _retried=True,
        )
    return check


def _write(
    check: CountCheck,
    *,
    user,
    source: str,
    count_import: CountImport | None,
    progress: ProgressCallback | None = None,
):
    """Insert the new counts, update the changed ones and keep their old values.

    On PostgreSQL the rows go in with COPY: for an upload of 100.000 rows, building model
    instances and quoting 600.000 query parameters costs more than the database's own work.
    Elsewhere the ORM's bulk operations. Either way a new count is a plain insert, so a
    device-day someone else created meanwhile raises IntegrityError (a conflict), never an
    overwrite; the rows updated are the ones the check locked.
    """
    if progress:
        # Counted in rows saved: the new ones first, then the changed ones with their history.
        created = sum(r.action == "create" for r in check.rows)
        to_save = created + sum(r.action == "update" for r in check.rows)
        progress(SAVE_LABEL, 0, to_save)
    # The dashboards' daily totals move in the same transaction.
    rollup_apply(
        [
            (r.device.pk, r.device.sub_district_id, r.date, r.count, 1)
            for r in check.rows
            if r.action == "create"
        ]
        + [
            (r.device.pk, r.device.sub_district_id, r.date, r.count - r.existing.count, 0)
            for r in check.rows
            if r.action == "update"
        ]
    )
    now = timezone.now()
    user_id = user.pk if user else None
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        stamp = now.isoformat()
        who = NULL if user_id is None else str(user_id)
        via = NULL if count_import is None else str(count_import.pk)

        def columns(model, fields: list[str]) -> list[str]:
            return [model._meta.get_field(f).column for f in fields]

        changed = ["count", "note", "version", "needs_follow_up", "follow_up_reasons"]
        stamped = ["created_by", "created_at", "entered_by", "entered_at"]
        copy_lines(
            connection,
            DailyCount._meta.db_table,
            columns(DailyCount, ["device", "date", *changed, *stamped]),
            [
                f"{r.device.pk}\t{r.date.isoformat()}\t{r.count}\t{copy_text(r.note)}\t"
                f"1\t{'t' if r.follow_up else 'f'}\t{copy_text(', '.join(r.follow_up))}\t"
                f"{who}\t{stamp}\t{who}\t{stamp}\n"
                for r in check.rows
                if r.action == "create"
            ],
        )
        if progress:
            progress(SAVE_LABEL, created, to_save)
        updates = [r for r in check.rows if r.action == "update"]
        if updates:
            table, pk = quote(DailyCount._meta.db_table), DailyCount._meta.pk.column
            names = columns(DailyCount, changed)
            quoted = ", ".join(quote(name) for name in names)
            # The new values go to a scratch table, then one UPDATE joins them in by id.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE count_updates ON COMMIT DROP AS "
                    f"SELECT {quote(pk)}, {quoted} FROM {table} WITH NO DATA"
                )
            copy_lines(
                connection,
                "count_updates",
                [pk, *names],
                [
                    f"{r.existing.id}\t{r.count}\t{copy_text(r.note)}\t"
                    f"{r.existing.version + 1}\t{'t' if r.follow_up else 'f'}\t"
                    f"{copy_text(', '.join(r.follow_up))}\n"
                    for r in updates
                ],
            )
            assignments = ", ".join(f"{quote(name)} = u.{quote(name)}" for name in names)
            entered_by, entered_at = (
                quote(c) for c in columns(DailyCount, ["entered_by", "entered_at"])
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS d SET {assignments}, "
                    f"{entered_by} = %s, {entered_at} = %s "
                    f"FROM count_updates AS u WHERE d.{quote(pk)} = u.{quote(pk)}",
                    [user_id, now],
                )
                cursor.execute("DROP TABLE count_updates")
            copy_lines(
                connection,
                DailyCountRevision._meta.db_table,
                columns(
                    DailyCountRevision,
                    [
                        "daily_count",
                        "old_count",
                        "new_count",
                        "old_note",
                        "new_note",
                        "changed_by",
                        "changed_at",
                        "source",
                        "count_import",
                    ],
                ),
                [
                    f"{r.existing.id}\t{r.existing.count}\t{r.count}\t"
                    f"{copy_text(r.existing.note)}\t{copy_text(r.note)}\t"
                    f"{who}\t{stamp}\t{source}\t{via}\n"
                    for r in updates
                ],
            )
        if progress:
            progress(SAVE_LABEL, to_save, to_save)
        return

    DailyCount.objects.bulk_create(
        [
            DailyCount(
                device=r.device,
                date=r.date,
                count=r.count,
                note=r.note,
                needs_follow_up=bool(r.follow_up),
                follow_up_reasons=", ".join(r.follow_up),
                created_by_id=user_id,
                created_at=now,
                entered_by_id=user_id,
                entered_at=now,
            )
            for r in check.rows
            if r.action == "create"
        ],
        batch_size=BATCH_SIZE,
    )
    if progress:
        progress(SAVE_LABEL, created, to_save)
    updates = [r for r in check.rows if r.action == "update"]
    DailyCount.objects.bulk_update(
        [
            DailyCount(
                pk=r.existing.id,
                count=r.count,
                note=r.note,
                version=r.existing.version + 1,
                needs_follow_up=bool(r.follow_up),
                follow_up_reasons=", ".join(r.follow_up),
                entered_by_id=user_id,
                entered_at=now,
            )
            for r in updates
        ],
        [
            "count",
            "note",
            "version",
            "needs_follow_up",
            "follow_up_reasons",
            "entered_by",
            "entered_at",
        ],
        batch_size=BATCH_SIZE,
    )
    DailyCountRevision.objects.bulk_create(
        [
            DailyCountRevision(
                daily_count_id=r.existing.id,
                old_count=r.existing.count,
                new_count=r.count,
                old_note=r.existing.note,
                new_note=r.note,
                changed_by_id=user_id,
                changed_at=now,
                source=source,
                count_import=count_import,
            )
            for r in updates
        ],
        batch_size=BATCH_SIZE,
    )
    if progress:
        progress(SAVE_LABEL, to_save, to_save)
