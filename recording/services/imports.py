"""Daily counts from a CSV or XLSX file: reading it, the upload form, and the import services.

The upload page and `manage.py import_counts` go through the same functions: the file is read
once into `CountLines` (every value problem becomes a `Problem` naming its line and column; an
XLSX is read within the limits of `xlsx_reader`), its serials are resolved into `CountRow`s, then
`daily_counts_check` previews and `daily_counts_save` commits, all rows or none. An upload keeps
the lines it was read into, so its preview and its commit never read the file again.
"""

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import xlsx_reader
from common.formatting import fmt_decimal, fmt_int
from common.parsing import (
    CSV_DELIMITERS,
    FILE_TYPES,
    CellError,
    FileRefused,
    Table,
    control_character_error,
    parse_date,
    parse_whole_number,
    read_csv,
    table_file_type,
)
from common.progress import ProgressCallback, progress_iter
from districts.selectors import user_scope
from recording.choices import IMPORT_STALE_MINUTES, IMPORT_TRANSITIONS, ImportNotice, ImportStatus
from recording.models import CountImport, EntrySource, RecordingDevice, TableUpload
from recording.selectors.devices import devices_in_scope
from recording.services.counts import (
    Column,
    CountCheck,
    CountRow,
    CountsRejected,
    Problem,
    daily_counts_check,
    daily_counts_save,
    note_length_problem,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
# Twice the largest real file (100.000 rows, see `bench_import`): read, stored and previewed in
# a few seconds. 20 MB of CSV holds 800.000 lines, which took a worker 15 s to read and store.
MAX_UPLOAD_LINES = 200_000
REQUIRED_COLUMNS = (Column.DATE, Column.DEVICE, Column.COUNT)
COLUMNS = (*REQUIRED_COLUMNS, Column.NOTE)
SERIAL_MAX_LENGTH = RecordingDevice._meta.get_field("serial").max_length
# How long an upload that was never saved is kept, and a saved one's file content.
# Problems of one line are listed in the order the columns are usually written.
_COLUMN_ORDER = {"": 0, Column.DATE: 1, Column.DEVICE: 2, Column.COUNT: 3, Column.NOTE: 4}
# Distinct serials per query: one query for any real file, within SQLite's parameter limit.
_SERIALS_PER_QUERY = 10_000


# --- Reading a file -------------------------------------------------------------------------------

# A line as read: (line, serial, date, count, note); the last three are None on a line with a
# problem, kept so that an unknown serial is still named.
Line = tuple[int, str, dt.date | None, int | None, str | None]


@dataclass
class CountLines:
    """What a file says before any device is looked up: its lines that could be read, and the
    problems of its values. Kept with an upload (`to_json`), so the file is read only once."""

    lines: int
    rows: list[Line] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "lines": self.lines,
            "rows": [
                [line, serial, date and date.isoformat(), count, note]
                for line, serial, date, count, note in self.rows
            ],
            "errors": [[p.line, p.column, p.message] for p in self.errors],
        }

    @classmethod
    def from_json(cls, data: dict) -> "CountLines":
        day = functools.lru_cache(maxsize=1024)(dt.date.fromisoformat)
        return cls(
            lines=data["lines"],
            rows=[
                (line, serial, date and day(date), count, note)
                for line, serial, date, count, note in data["rows"]
            ],
            errors=[Problem(line, column, message) for line, column, message in data["errors"]],
        )


@dataclass
class CountFile:
    """The rows of a file that could be read and resolved to a device, and the problems of the
    rest (values that do not parse, unknown serials, devices outside the user's area)."""

    lines: int
    rows: list[CountRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while a big file's rows are built, checked, saved.

    100.000 rows make millions of small objects that all live until the end: the collector
    finds nothing to free, yet rescans them again and again (a quarter to a third of the
    import's time, measured). Reference counting still frees memory as usual; the collector
    resumes when the work is done. Whoever found it running turns it back on, so concurrent
    imports in one process leave it running.
    """
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()


def upload_file_name(file_name: str) -> str:
    """The name an upload is kept under (no folders, at most 255 characters); `FileRefused` if
    it holds a control character, which the database would refuse or the page hide. (Django
    already drops them from the names of files uploaded through a form; a file given to the
    command keeps its name from the disk.)"""
    name = PurePath(file_name).name[:255]
    if problem := control_character_error(name):
        raise FileRefused(
            [
                gettext("Nama berkas %(problem)s Ganti nama berkasnya, lalu unggah lagi.")
                % {"problem": problem}
            ]
        )
    return name


def parse_seconds() -> float:
    """How long reading an XLSX may take before it is stopped and the file refused."""
    return settings.UPLOAD_PARSE_SECONDS


def uncommitted_hours() -> int:
    """How long an upload that was never saved is kept."""
    return settings.UPLOAD_UNCOMMITTED_HOURS


def count_table_read(*, content: bytes, file_name: str) -> Table:
    """The file as a table of `date,device,count[,note]`; `FileRefused` when it cannot be.

    CSV: UTF-8 with or without BOM, `,` or `;` between columns. XLSX: the first worksheet, read
    in a child process within the limits of `xlsx_reader`.
    """
    if table_file_type(file_name) == ".xlsx":
        return xlsx_reader.worksheet_table(
            content, required=REQUIRED_COLUMNS, columns=COLUMNS, seconds=parse_seconds()
        )
    return read_csv(content, required=REQUIRED_COLUMNS, delimiters=CSV_DELIMITERS)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a serial typed as a number in Excel
    return str(value if value is not None else "").strip()


def control_character_problems(line: int, values: dict[str, Any], columns) -> list[Problem]:
    """A problem for each of a line's `columns` whose text holds a control character (checked
    before anything else: such a value is never stored nor repeated in a message)."""
    return [
        Problem(line, column, problem)
        for column in columns
        if isinstance(values.get(column), str)
        and (problem := control_character_error(values[column]))
    ]


def _line_read(line: int, values: dict[str, Any], parse_day) -> tuple[Line | None, list[Problem]]:
    """One line's values, or its problems. A value with a control character is refused before
    anything else, and never stored nor repeated in a message."""
    problems = control_character_problems(line, values, COLUMNS)
    refused = {problem.column for problem in problems}
    date = count = None
    serial = note = ""
    if Column.DATE not in refused:
        try:
            date = parse_day(values.get(Column.DATE))
        except CellError as exc:
            problems.append(Problem(line, Column.DATE, str(exc)))
    if Column.DEVICE not in refused:
        serial = _text(values.get(Column.DEVICE))
        if not serial:
            problems.append(Problem(line, Column.DEVICE, gettext("wajib diisi (nomor seri alat).")))
        elif len(serial) > SERIAL_MAX_LENGTH:
            problems.append(
                Problem(
                    line,
                    Column.DEVICE,
                    gettext(
                        "terlalu panjang (%(length)s karakter); nomor seri paling banyak "
                        "%(maximum)s karakter."
                    )
                    % {"length": fmt_int(len(serial)), "maximum": fmt_int(SERIAL_MAX_LENGTH)},
                )
            )
            serial = ""
    if Column.COUNT not in refused:
        try:
            count = parse_whole_number(values.get(Column.COUNT))
        except CellError as exc:
            problems.append(Problem(line, Column.COUNT, str(exc)))
    if Column.NOTE not in refused:
        note = _text(values.get(Column.NOTE))
        if problem := note_length_problem(note):
            problems.append(Problem(line, Column.NOTE, problem))
    if problems:
        # An unknown serial is still worth naming on a line with other problems.
        return ((line, serial, None, None, None) if serial else None), problems
    return (line, serial, date, count, note), []


def count_lines_read(
    *, content: bytes, file_name: str, progress: ProgressCallback | None = None
) -> CountLines:
    """Read every line of the file and check each value; no database access.

    Raises `FileRefused` when the file cannot be read as a table at all.
    """
    with _collector_paused():
        if progress:
            progress("Membaca berkas", 0, None)
        table = count_table_read(content=content, file_name=file_name)
        result = CountLines(lines=len(table.rows) + len(table.problems))
        result.errors = [Problem(line, "", message) for line, message in table.problems]
        # A file repeats the same few dozen dates on every device's lines.
        parse_day = functools.lru_cache(maxsize=1024)(parse_date)
        for line, values in progress_iter(
            table.rows, progress, "Memeriksa isi baris", total=len(table.rows)
        ):
            row, problems = _line_read(line, values, parse_day)
            result.errors.extend(problems)
            if row is not None:
                result.rows.append(row)
        return result


def _devices_by_serial(serials: set[str], user) -> dict[str, RecordingDevice]:
    """The devices with these serials, each marked `in_area` for `user` (None: everywhere)."""
    devices = {}
    serials = sorted(serials)
    scope = user_scope(user) if user is not None else None
    for start in range(0, len(serials), _SERIALS_PER_QUERY):
        queryset = RecordingDevice.objects.filter(
            serial__in=serials[start : start + _SERIALS_PER_QUERY]
        ).select_related("sub_district__regency")
        if scope is not None and not scope.everywhere:
            queryset = queryset.annotate(
                in_area=Exists(devices_in_scope(scope).filter(pk=OuterRef("pk")))
            )
        for device in queryset:
            devices[device.serial] = device
    return devices


def count_lines_resolve(
    *, count_lines: CountLines, user=None, progress: ProgressCallback | None = None
) -> CountFile:
    """Resolve the serials of the lines in one query; `user` limits the devices to their area
    (None: no limit, for the command run by an administrator). `progress`: as in
    `count_lines_read`."""
    with _collector_paused():
        result = CountFile(lines=count_lines.lines, errors=list(count_lines.errors))
        label, total = "Mencocokkan nomor seri alat", len(count_lines.rows)
        if progress:
            progress(label, 0, total)
        devices = _devices_by_serial({serial for _, serial, *_ in count_lines.rows}, user)
        for line, serial, date, count, note in progress_iter(
            count_lines.rows, progress, label, total=total
        ):
            device = devices.get(serial)
            if device is None:
                result.errors.append(
                    Problem(
                        line,
                        Column.DEVICE,
                        gettext('alat dengan nomor seri "%(serial)s" tidak dikenal.')
                        % {"serial": serial},
                    )
                )
            elif not getattr(device, "in_area", True):
                result.errors.append(
                    Problem(
                        line,
                        Column.DEVICE,
                        gettext(
                            "alat %(serial)s berada di luar wilayah Anda; jumlahnya hanya boleh "
                            "diisi petugas wilayahnya."
                        )
                        % {"serial": serial},
                    )
                )
            elif date is not None:
                result.rows.append(
                    CountRow(line=line, device=device, date=date, count=count, note=note)
                )
        return result


def count_file_read(
    *, content: bytes, file_name: str, user=None, progress: ProgressCallback | None = None
) -> CountFile:
    """Read the file and resolve its serials (see `count_lines_read`, `count_lines_resolve`).

    Raises `FileRefused`.
    """
    count_lines = count_lines_read(content=content, file_name=file_name, progress=progress)
    return count_lines_resolve(count_lines=count_lines, user=user, progress=progress)


def _with_read_errors(check: CountCheck, count_file: CountFile) -> CountCheck:
    check.errors = sorted(
        count_file.errors + check.errors, key=lambda p: (p.line, _COLUMN_ORDER.get(p.column, 9))
    )
    return check


def count_file_check(
    *,
    count_file: CountFile,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> CountCheck:
    """What saving the file would do: the service's check plus the problems of reading it."""
    with _collector_paused():
        check = daily_counts_check(rows=count_file.rows, today=today, progress=progress)
    return _with_read_errors(check, count_file)


def count_file_save(
    *,
    count_file: CountFile,
    user,
    confirm: bool = False,
    count_import: CountImport | None = None,
    expected_digest: str | None = None,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> CountCheck:
    """Save every row of the file or none; raises `CountsRejected` like `daily_counts_save`."""
    if count_file.errors:
        # Still run the rules on the readable rows, so the operator sees every error at once.
        raise CountsRejected(
            count_file_check(count_file=count_file, today=today, progress=progress)
        )
    with _collector_paused():
        return daily_counts_save(
            rows=count_file.rows,
            user=user,
            source=EntrySource.IMPORT,
            confirm=confirm,
            count_import=count_import,
            expected_digest=expected_digest,
            today=today,
            progress=progress,
        )


# --- Uploads (the web flow) -----------------------------------------------------------------------
#
# An upload is stored at once (`count_import_create`), then read and checked by a background
# task (`count_import_check`), which keeps what it found on the upload: the page shows that
# without reading or checking the rows again. Saving is a task too (`count_import_commit_run`).
# Each step moves the upload's status along `IMPORT_TRANSITIONS` with one conditional UPDATE,
# so two clicks or two workers never both take the same step.

# A file with thousands of errors is fixed from the first ones; the page stays light.
MAX_PROBLEMS_SHOWN = 500
SAMPLE_ROWS = 50
# Progress is written at most this often (seconds); the loops report every 1000 rows
# (`common.progress.progress_iter`).
PROGRESS_SECONDS = 0.5


class ImportAlreadyCommitted(Exception):
    """The upload was saved before; an upload is saved once."""


class ImportNotReady(Exception):
    """The upload is not (or no longer) waiting to be saved: it is being checked again."""


def _over_limit_message(lines: int) -> str | None:
    if lines <= MAX_UPLOAD_LINES:
        return None
    return _(
        "Berkas berisi lebih dari %(limit)s baris data; paling banyak %(limit)s "
        "baris per unggahan. Bagi menjadi beberapa berkas."
    ) % {"limit": fmt_int(MAX_UPLOAD_LINES)}


def _csv_head(content: bytes) -> bytes:
    """The first lines of a CSV (at most 64 KB, cut at a line end): enough to read its header
    and first data line while the upload request waits, without reading the whole file."""
    if len(content) <= 65536:
        return content
    head = content[:65536]
    end = max(head.rfind(b"\n"), head.rfind(b"\r"))
    return head[: end + 1] if end > 0 else head


class CountUploadForm(forms.Form):
    """A CSV or XLSX file within the size and line limits whose header can be read; once valid,
    `content` holds its bytes and `lines` a CSV's data lines (0 for an XLSX, counted when it is
    read). Its lines are read and checked in the background, not while the request waits."""

    file = forms.FileField(
        label=_("Berkas CSV atau Excel"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FILE_TYPES)}),
        error_messages={
            "required": _("Pilih berkas CSV atau XLSX untuk diunggah."),
            "empty": _("Berkas kosong: baris pertama harus judul kolom date,device,count."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (%(size)s MB); paling besar %(limit)s MB.")
                % {
                    "size": fmt_decimal(upload.size / 1024 / 1024),
                    "limit": MAX_FILE_BYTES // 1024 // 1024,
                }
            )
        content = upload.read()
        self.lines = 0
        try:
            if table_file_type(upload.name) == ".csv":
                # Counted from the line ends (`\n`, `\r\n` or `\r`, less the header) before
                # anything is read; the header is read from the first lines only.
                self.lines = max(content.count(b"\n"), content.count(b"\r")) - 1
                if problem := _over_limit_message(self.lines):
                    raise forms.ValidationError(problem)
                self.header_read(_csv_head(content))
            upload_file_name(upload.name)
        except FileRefused as exc:
            raise forms.ValidationError(exc.errors) from None
        self.content = content
        return upload

    def header_read(self, head: bytes) -> None:
        """Read a CSV's first lines as the import would (another kind of upload reads its own
        columns); `FileRefused` if they cannot be."""
        read_csv(head, required=REQUIRED_COLUMNS, delimiters=CSV_DELIMITERS)


class CountImportCommitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa peringatan di atas dan angka-angka itu memang benar."),
        required=False,
    )


def count_import_create(
    *, file_name: str, content: bytes, lines: int, user, count_lines: CountLines | None = None
) -> CountImport:
    """Keep an upload, waiting to be read and checked (`count_import_check`); with
    `count_lines`, what it was already read into. Raises `FileRefused` for a file name with a
    control character."""
    with _collector_paused():
        return CountImport.objects.create(
            file_name=upload_file_name(file_name),
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            parsed=count_lines.to_json() if count_lines is not None else None,
            uploaded_by=user,
            rows=lines,
            status=CountImport.Status.QUEUED,
            progress_at=timezone.now(),
        )


def count_import_get(*, pk: int, user, with_lines: bool = True) -> CountImport:
    """The upload if `user` made it (or is a superuser); `DoesNotExist` otherwise. Its file and
    lines are never loaded here, and without `with_lines` neither is its stored preview."""
    deferred = ["content", "parsed"] if with_lines else ["content", "parsed", "preview"]
    queryset = CountImport.objects.select_related("uploaded_by").defer(*deferred)
    if not user.is_superuser:
        queryset = queryset.filter(uploaded_by=user)
    return queryset.get(pk=pk)


def upload_move(model: type[TableUpload], pk: int, step: str, **changes) -> bool:
    """Take `step` (`IMPORT_TRANSITIONS`) if the upload (of any `TableUpload` model) is in a
    status it may be taken from; False if it is not (someone else took it, or the upload is
    gone). One UPDATE."""
    allowed, to = IMPORT_TRANSITIONS[step]
    where = Q(status__in=allowed)
    if step == "recheck":
        stale = timezone.now() - dt.timedelta(minutes=IMPORT_STALE_MINUTES)
        where |= Q(status__in=ImportStatus.running(), progress_at__lt=stale)
    moved = model.objects.filter(where, pk=pk).update(
        status=to, progress_at=timezone.now(), **changes
    )
    return moved == 1


def _import_move(pk: int, step: str, **changes) -> bool:
    return upload_move(CountImport, pk, step, **changes)


class ImportProgress:
    """Writes how far a background step got onto its upload: at most one UPDATE every
    `seconds`, told every 1000 rows by the loops that call it (`progress_iter`), never one per
    row. `offset` continues a count (the check's second pass after its first)."""

    def __init__(
        self,
        pk: int,
        *,
        seconds: float = PROGRESS_SECONDS,
        offset: int = 0,
        model: type[TableUpload] = CountImport,
    ):
        self.pk, self.seconds, self.offset, self.model = pk, seconds, offset, model
        self._last = time.monotonic()

    def __call__(self, label: str, done: int, total: int | None = None) -> None:
        """A `ProgressCallback`: the upload's status names the step, so only `done` is kept."""
        now = time.monotonic()
        if now - self._last < self.seconds:
            return
        self._last = now
        self.model.objects.filter(pk=self.pk).update(
            progress_done=self.offset + done, progress_at=timezone.now()
        )

    def then(self, offset: int) -> "ImportProgress":
        following = ImportProgress(self.pk, seconds=self.seconds, offset=offset, model=self.model)
        following._last = self._last
        return following


def _count_import_lines(count_import: CountImport, progress=None) -> CountLines:
    """The lines the upload was read into; an upload not read yet is read now, once, and
    keeps them (or the reason it was refused). Raises `FileRefused`."""
    with _collector_paused():
        parsed = count_import.parsed
        if parsed is None:
            try:
                count_lines = count_lines_read(
                    content=bytes(count_import.content),
                    file_name=count_import.file_name,
                    progress=progress,
                )
                if problem := _over_limit_message(count_lines.lines):
                    raise FileRefused([str(problem)])
                parsed = count_lines.to_json()
            except FileRefused as exc:
                parsed = {"refused": [str(e) for e in exc.errors]}
            CountImport.objects.filter(pk=count_import.pk).update(parsed=parsed)
            count_import.parsed = parsed
        if "refused" in parsed:
            raise FileRefused(parsed["refused"])
        return CountLines.from_json(parsed)


def _preview_of(check: CountCheck, *, lines: int) -> dict:
    """What the page shows of a check, small enough to store with the upload."""
    changing = [r for r in check.rows if r.action in ("create", "update")]
    return {
        "lines": lines,
        "created": check.created,
        "updated": check.updated,
        "unchanged": check.unchanged,
        "error_count": len(check.errors),
        "warning_count": len(check.warnings),
        "errors": [str(p) for p in check.errors[:MAX_PROBLEMS_SHOWN]],
        "warnings": [str(p) for p in check.warnings[:MAX_PROBLEMS_SHOWN]],
        "changing": len(changing),
        "sample": [
            [
                r.line,
                r.device.serial,
                r.date.isoformat(),
                r.count,
                r.existing.count if r.existing else None,
                r.note,
                r.action,
            ]
            for r in changing[:SAMPLE_ROWS]
        ],
        "digest": "" if check.errors else check.fingerprint_digest,
    }


def count_import_check(*, pk: int, seconds: float = PROGRESS_SECONDS) -> bool:
    """Read a waiting upload (unless it was read before) and check its lines as its uploader
    would save them, against the database as it is now; keep what was found (`preview`) and
    show progress on the way. False if the upload was not waiting (taken by another worker)."""
    if not _import_move(pk, "read", progress_done=0, progress_total=0, notice=""):
        return False
    count_import = CountImport.objects.select_related("uploaded_by").defer("preview").get(pk=pk)
    total = count_import.rows
    CountImport.objects.filter(pk=pk).update(progress_total=total)
    progress = ImportProgress(pk, seconds=seconds)
    with _collector_paused():
        try:
            count_lines = _count_import_lines(count_import, progress)
        except FileRefused as exc:
            return _import_move(pk, "preview", preview={"file_errors": exc.errors})
        # Two passes over the rows: their devices, then the rules.
        total = len(count_lines.rows)
        _import_move(pk, "check", rows=count_lines.lines, progress_done=0, progress_total=2 * total)
        count_file = count_lines_resolve(
            count_lines=count_lines, user=count_import.uploaded_by, progress=progress
        )
        check = count_file_check(count_file=count_file, progress=progress.then(total))
        return _import_move(
            pk,
            "preview",
            preview=_preview_of(check, lines=count_file.lines),
            progress_done=2 * total,
        )


def count_import_recheck(*, count_import: CountImport) -> bool:
    """Let an upload be checked again (after a failure, a worker that stopped, or one
    previewed before previews were kept); False if it is not in a state to be."""
    return _import_move(count_import.pk, "recheck", preview=None, progress_done=0, notice="")


def count_import_fail(*, pk: int, notice: str) -> bool:
    """Mark a running upload failed: its task crashed. Nothing was saved (a save is one
    transaction), and the page offers to check it again."""
    return _import_move(pk, "fail", notice=notice)


def count_import_commit_queue(*, count_import: CountImport) -> bool:
    """Claim a previewed upload for saving; False if it is not waiting to be saved (saved or
    being saved already: a second click saves nothing)."""
    return _import_move(count_import.pk, "commit", notice="", progress_done=0, progress_total=0)


def count_import_commit(
    *, count_import: CountImport, user, confirm: bool, expected_digest: str | None
) -> CountCheck:
    """Save a previewed upload, all rows or none, and mark it saved.

    Raises `CountsRejected` (nothing written) on errors, on unconfirmed warnings, or when the
    rows changed since the preview (`expected_digest`); `ImportAlreadyCommitted` if it was
    saved before; `ImportNotReady` if it is being checked again; `FileRefused` if its file
    cannot be read.
    """
    with transaction.atomic():
        # Locked so that two saves of one upload cannot both write.
        locked = CountImport.objects.select_for_update().defer("content").get(pk=count_import.pk)
        if locked.status == CountImport.Status.COMMITTED:
            raise ImportAlreadyCommitted
        if locked.status not in (CountImport.Status.PREVIEWED, CountImport.Status.COMMITTING):
            raise ImportNotReady
        count_file = count_lines_resolve(count_lines=_count_import_lines(locked), user=user)
        check = count_file_save(
            count_file=count_file,
            user=user,
            confirm=confirm,
            count_import=locked,
            expected_digest=expected_digest,
        )
        locked.status = CountImport.Status.COMMITTED
        locked.committed_at = timezone.now()
        locked.rows = count_file.lines
        locked.created, locked.updated, locked.unchanged = (
            check.created,
            check.updated,
            check.unchanged,
        )
        # A saved upload is never previewed again; its row counts above are what stays.
        locked.parsed = None
        locked.preview = None
        locked.notice = ""
        locked.progress_at = timezone.now()
        locked.save(update_fields=[*_SAVED_FIELDS, "parsed", "preview", "notice", "progress_at"])
    count_import.refresh_from_db(fields=_SAVED_FIELDS)
    return check


def count_import_commit_run(*, pk: int, user_id: int, confirm: bool, digest: str) -> str:
    """The save of an upload claimed by `count_import_commit_queue`, as its task runs it.

    When it may not be saved, nothing is written: the upload goes back to previewed with a
    fresh preview (the check the save refused) and a notice saying why. Returns the status the
    upload ended in.
    """
    count_import = CountImport.objects.defer("content", "parsed", "preview").get(pk=pk)
    user = get_user_model().objects.get(pk=user_id)
    try:
        count_import_commit(
            count_import=count_import,
            user=user,
            confirm=confirm,
            expected_digest=digest,
        )
    except (ImportAlreadyCommitted, ImportNotReady):
        pass
    except FileRefused as exc:
        _import_move(
            pk, "preview", preview={"file_errors": exc.errors}, notice=ImportNotice.NOW_ERRORS
        )
    except CountsRejected as rejected:
        check = rejected.check
        if rejected.needs_confirmation:
            notice = ImportNotice.CONFIRM
        elif check.errors and not check.conflicts:
            notice = ImportNotice.NOW_ERRORS
        else:
            notice = ImportNotice.CHANGED
        _import_move(
            pk, "preview", preview=_preview_of(check, lines=count_import.rows), notice=notice
        )
    return CountImport.objects.values_list("status", flat=True).get(pk=pk)


@dataclass
class UploadPreview:
    """What the check of an upload (a count or a card report file) found, as its page shows it
    (the upload's stored `preview`). Subclasses say how a stored sample line reads."""

    upload: TableUpload
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    warning_count: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changing: int = 0
    sample: list[dict] = field(default_factory=list)
    digest: str = ""
    file_errors: list[str] = field(default_factory=list)

    @staticmethod
    def sample_row(stored) -> dict:
        raise NotImplementedError

    @classmethod
    def of(cls, upload: TableUpload):
        data = upload.preview
        if data is None:
            return None
        if "file_errors" in data:
            return cls(upload, file_errors=data["file_errors"])
        rows = [cls.sample_row(stored) for stored in data["sample"]]
        for row in rows:
            row["date"] = dt.date.fromisoformat(row["date"])
        return cls(upload, **{**data, "sample": rows})

    @property
    def can_commit(self) -> bool:
        return (
            not self.file_errors
            and not self.error_count
            and bool(self.digest)
            and self.upload.status == ImportStatus.PREVIEWED
        )


class CountImportPreview(UploadPreview):
    """A count upload's sample lines are stored as lists, to keep the stored preview small."""

    KEYS = ("line", "serial", "date", "count", "existing", "note", "action")

    @staticmethod
    def sample_row(stored) -> dict:
        return dict(zip(CountImportPreview.KEYS, stored, strict=True))


_SAVED_FIELDS = ["status", "committed_at", "rows", "created", "updated", "unchanged"]


@dataclass(frozen=True)
class UploadsPurged:
    deleted: int
    cleared: int
    uncommitted_hours: int
    content_days: int


def count_imports_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> UploadsPurged:
    """Delete the count uploads never saved within `UPLOAD_UNCOMMITTED_HOURS`, and clear the
    file and lines of saved ones after `UPLOAD_CONTENT_DAYS` (`uploads_purge`)."""
    return uploads_purge(CountImport, now=now, dry_run=dry_run)


def all_uploads_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> UploadsPurged:
    """`uploads_purge` of every kind of upload (each concrete `TableUpload`: the count uploads
    and any other app's, found in the app registry so that this app imports none of them)."""
    now = now or timezone.now()
    results = [
        uploads_purge(model, now=now, dry_run=dry_run)
        for model in apps.get_models()
        if issubclass(model, TableUpload)
    ]
    return UploadsPurged(
        sum(r.deleted for r in results),
        sum(r.cleared for r in results),
        uncommitted_hours(),
        settings.UPLOAD_CONTENT_DAYS,
    )


def uploads_purge(
    model: type[TableUpload], *, now: dt.datetime | None = None, dry_run: bool = False
) -> UploadsPurged:
    """Delete the uploads of `model` never saved within `UPLOAD_UNCOMMITTED_HOURS`, and clear
    the file and lines of saved ones after `UPLOAD_CONTENT_DAYS`.

    A saved upload keeps its row for good: who uploaded it and when, the file name, the file's
    SHA-256 and the row counts, which is what the figures' history points at.
    """
    now = now or timezone.now()
    hours = uncommitted_hours()
    days = settings.UPLOAD_CONTENT_DAYS
    # Every upload not saved, but one being saved right now.
    abandoned = (
        model.objects.exclude(status=model.Status.COMMITTED)
        .exclude(
            status=model.Status.COMMITTING,
            progress_at__gte=now - dt.timedelta(minutes=IMPORT_STALE_MINUTES),
        )
        .filter(uploaded_at__lt=now - dt.timedelta(hours=hours))
    )
    expired = model.objects.filter(
        status=model.Status.COMMITTED,
        committed_at__lt=now - dt.timedelta(days=days),
        content_cleared_at__isnull=True,
    )
    if dry_run:
        return UploadsPurged(abandoned.count(), expired.count(), hours, days)
    with transaction.atomic():
        # Only the keys: the files themselves are never loaded to be deleted.
        deleted = abandoned.only("pk").delete()[1].get(model._meta.label, 0)
        cleared = expired.update(content=b"", parsed=None, content_cleared_at=now)
    return UploadsPurged(deleted, cleared, hours, days)


# --- The command ----------------------------------------------------------------------------------


def count_file_import(
    *,
    content: bytes,
    file_name: str,
    user=None,
    confirm: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> CountCheck:
    """Check (`dry_run`) or save a file outside the web flow; raises `CountsRejected` or
    `FileRefused` exactly when saving would fail, dry run or not. `progress` hears of each
    step (reading, matching the devices, checking, saving).

    With a `user`, the file is kept as a saved `CountImport` of theirs, like an upload.
    """
    if user is not None:
        upload_file_name(file_name)
    count_lines = count_lines_read(content=content, file_name=file_name, progress=progress)
    count_file = count_lines_resolve(count_lines=count_lines, user=user, progress=progress)
    if dry_run:
        check = count_file_check(count_file=count_file, today=today, progress=progress)
        if check.errors:
            raise CountsRejected(check)
        if check.warnings and not confirm:
            raise CountsRejected(check, needs_confirmation=True)
        return check
    with transaction.atomic():
        count_import = None
        if user is not None:
            count_import = count_import_create(
                file_name=file_name, content=content, lines=count_file.lines, user=user
            )
        check = count_file_save(
            count_file=count_file,
            user=user,
            confirm=confirm,
            count_import=count_import,
            today=today,
            progress=progress,
        )
        if count_import is not None:
            count_import.status = CountImport.Status.COMMITTED
            count_import.committed_at = timezone.now()
            count_import.created = check.created
            count_import.updated = check.updated
            count_import.unchanged = check.unchanged
            count_import.save()
    return check
