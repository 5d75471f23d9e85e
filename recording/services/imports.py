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
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import xlsx_reader
from common.formatting import fmt_int
from common.parsing import (
    CSV_DELIMITERS,
    CellError,
    FileRefused,
    Table,
    control_character_error,
    parse_date,
    parse_whole_number,
    read_csv,
)
from districts.selectors import user_scope
from recording.models import CountImport, EntrySource, RecordingDevice
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
FILE_TYPES = (".csv", ".xlsx")
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


def _file_type(file_name: str) -> str:
    suffix = PurePath(file_name).suffix.lower()
    if suffix in FILE_TYPES:
        return suffix
    if suffix == ".xls":
        raise FileRefused(
            ["Berkas Excel lama (.xls) tidak didukung; simpan sebagai .xlsx atau CSV UTF-8."]
        )
    raise FileRefused(
        [f"Jenis berkas {suffix or 'tanpa ekstensi'} tidak dikenal; unggah berkas .csv atau .xlsx."]
    )


def upload_file_name(file_name: str) -> str:
    """The name an upload is kept under (no folders, at most 255 characters); `FileRefused` if
    it holds a control character, which the database would refuse or the page hide. (Django
    already drops them from the names of files uploaded through a form; a file given to the
    command keeps its name from the disk.)"""
    name = PurePath(file_name).name[:255]
    if problem := control_character_error(name):
        raise FileRefused([f"Nama berkas {problem} Ganti nama berkasnya, lalu unggah lagi."])
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
    if _file_type(file_name) == ".xlsx":
        return xlsx_reader.worksheet_table(
            content, required=REQUIRED_COLUMNS, columns=COLUMNS, seconds=parse_seconds()
        )
    return read_csv(content, required=REQUIRED_COLUMNS, delimiters=CSV_DELIMITERS)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a serial typed as a number in Excel
    return str(value if value is not None else "").strip()


def _line_read(line: int, values: dict[str, Any], parse_day) -> tuple[Line | None, list[Problem]]:
    """One line's values, or its problems. A value with a control character is refused before
    anything else, and never stored nor repeated in a message."""
    problems = [
        Problem(line, column, problem)
        for column in COLUMNS
        if isinstance(values.get(column), str)
        and (problem := control_character_error(values[column]))
    ]
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
            problems.append(Problem(line, Column.DEVICE, "wajib diisi (nomor seri alat)."))
        elif len(serial) > SERIAL_MAX_LENGTH:
            problems.append(
                Problem(
                    line,
                    Column.DEVICE,
                    f"terlalu panjang ({fmt_int(len(serial))} karakter); nomor seri "
                    f"paling banyak {SERIAL_MAX_LENGTH} karakter.",
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


def count_lines_read(*, content: bytes, file_name: str) -> CountLines:
    """Read every line of the file and check each value; no database access.

    Raises `FileRefused` when the file cannot be read as a table at all.
    """
    with _collector_paused():
        table = count_table_read(content=content, file_name=file_name)
        result = CountLines(lines=len(table.rows) + len(table.problems))
        result.errors = [Problem(line, "", message) for line, message in table.problems]
        # A file repeats the same few dozen dates on every device's lines.
        parse_day = functools.lru_cache(maxsize=1024)(parse_date)
        for line, values in table.rows:
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


def count_lines_resolve(*, count_lines: CountLines, user=None) -> CountFile:
    """Resolve the serials of the lines in one query; `user` limits the devices to their area
    (None: no limit, for the command run by an administrator)."""
    with _collector_paused():
        result = CountFile(lines=count_lines.lines, errors=list(count_lines.errors))
        devices = _devices_by_serial({serial for _, serial, *_ in count_lines.rows}, user)
        for line, serial, date, count, note in count_lines.rows:
            device = devices.get(serial)
            if device is None:
                result.errors.append(
                    Problem(
                        line, Column.DEVICE, f'alat dengan nomor seri "{serial}" tidak dikenal.'
                    )
                )
            elif not getattr(device, "in_area", True):
                result.errors.append(
                    Problem(
                        line,
                        Column.DEVICE,
                        f"alat {serial} berada di luar wilayah Anda; jumlahnya hanya boleh diisi "
                        "petugas wilayahnya.",
                    )
                )
            elif date is not None:
                result.rows.append(
                    CountRow(line=line, device=device, date=date, count=count, note=note)
                )
        return result


def count_file_read(*, content: bytes, file_name: str, user=None) -> CountFile:
    """Read the file and resolve its serials (see `count_lines_read`, `count_lines_resolve`).

    Raises `FileRefused`.
    """
    count_lines = count_lines_read(content=content, file_name=file_name)
    return count_lines_resolve(count_lines=count_lines, user=user)


def _with_read_errors(check: CountCheck, count_file: CountFile) -> CountCheck:
    check.errors = sorted(
        count_file.errors + check.errors, key=lambda p: (p.line, _COLUMN_ORDER.get(p.column, 9))
    )
    return check


def count_file_check(*, count_file: CountFile, today: dt.date | None = None) -> CountCheck:
    """What saving the file would do: the service's check plus the problems of reading it."""
    with _collector_paused():
        check = daily_counts_check(rows=count_file.rows, today=today)
    return _with_read_errors(check, count_file)


def count_file_save(
    *,
    count_file: CountFile,
    user,
    confirm: bool = False,
    count_import: CountImport | None = None,
    expected_fingerprint=None,
    today: dt.date | None = None,
) -> CountCheck:
    """Save every row of the file or none; raises `CountsRejected` like `daily_counts_save`."""
    if count_file.errors:
        # Still run the rules on the readable rows, so the operator sees every error at once.
        raise CountsRejected(count_file_check(count_file=count_file, today=today))
    with _collector_paused():
        return daily_counts_save(
            rows=count_file.rows,
            user=user,
            source=EntrySource.IMPORT,
            confirm=confirm,
            count_import=count_import,
            expected_fingerprint=expected_fingerprint,
            today=today,
        )


# --- What was previewed ---------------------------------------------------------------------------


def fingerprint_digest(fingerprint: list) -> str:
    return hashlib.sha256(json.dumps(fingerprint, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class PreviewedFingerprint:
    """Stands in for the `fingerprint` of a previewed check, kept as its hash: a preview of
    100.000 rows would not fit in a session. Equal to any fingerprint with the same hash, so
    `daily_counts_save(expected_fingerprint=...)` can compare against it inside its lock."""

    digest: str

    def __eq__(self, other):
        if isinstance(other, PreviewedFingerprint):
            return self.digest == other.digest
        if isinstance(other, list):
            return fingerprint_digest(other) == self.digest
        return NotImplemented

    def __hash__(self):
        return hash(self.digest)


# --- Uploads (the web flow) -----------------------------------------------------------------------


class ImportAlreadyCommitted(Exception):
    """The upload was saved before; an upload is saved once."""


class CountUploadForm(forms.Form):
    """A CSV or XLSX file that can be read as a table; once valid, `content` holds its bytes and
    `count_lines` what it says (its values are checked against the devices on the preview)."""

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
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "limit": MAX_FILE_BYTES // 1024 // 1024,
                }
            )
        content = upload.read()
        try:
            # A CSV's lines are counted before it is read, so that reading stays within seconds
            # (the header and line ends `\n`, `\r\n` or `\r`); a worksheet is read within its
            # own time limit, then counted.
            if _file_type(upload.name) == ".csv":
                self._refuse_over(max(content.count(b"\n"), content.count(b"\r")) - 1)
            self.count_lines = count_lines_read(content=content, file_name=upload.name)
        except FileRefused as exc:
            raise forms.ValidationError(exc.errors) from None
        self._refuse_over(self.count_lines.lines)
        self.content = content
        self.lines = self.count_lines.lines
        return upload

    @staticmethod
    def _refuse_over(lines: int) -> None:
        if lines > MAX_UPLOAD_LINES:
            raise forms.ValidationError(
                _(
                    "Berkas berisi lebih dari %(limit)s baris data; paling banyak %(limit)s "
                    "baris per unggahan. Bagi menjadi beberapa berkas."
                )
                % {"limit": fmt_int(MAX_UPLOAD_LINES)}
            )


class CountImportCommitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa peringatan di atas dan angka-angka itu memang benar."),
        required=False,
    )


def count_import_create(
    *, file_name: str, content: bytes, lines: int, user, count_lines: CountLines | None = None
) -> CountImport:
    """Keep an upload with what it was read into (without `count_lines`, the file is read on
    its first preview). Raises `FileRefused` for a file name with a control character."""
    with _collector_paused():
        return CountImport.objects.create(
            file_name=upload_file_name(file_name),
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            parsed=count_lines.to_json() if count_lines is not None else None,
            uploaded_by=user,
            rows=lines,
        )


def count_import_get(*, pk: int, user, with_lines: bool = True) -> CountImport:
    """The upload if `user` made it (or is a superuser); `DoesNotExist` otherwise. Its file,
    and without `with_lines` its lines, are loaded only when used."""
    deferred = ["content"] if with_lines else ["content", "parsed"]
    queryset = CountImport.objects.select_related("uploaded_by").defer(*deferred)
    if not user.is_superuser:
        queryset = queryset.filter(uploaded_by=user)
    return queryset.get(pk=pk)


def _count_import_lines(count_import: CountImport) -> CountLines:
    """The lines the upload was read into; an upload kept before they were stored is read now,
    once, and keeps them (or the reason it was refused). Raises `FileRefused`."""
    with _collector_paused():
        parsed = count_import.parsed
        if parsed is None:
            try:
                parsed = count_lines_read(
                    content=bytes(count_import.content), file_name=count_import.file_name
                ).to_json()
            except FileRefused as exc:
                parsed = {"refused": exc.errors}
            # Two first previews at once would store the same thing: no lock needed.
            CountImport.objects.filter(pk=count_import.pk, parsed__isnull=True).update(
                parsed=parsed
            )
            count_import.parsed = parsed
        if "refused" in parsed:
            raise FileRefused(parsed["refused"])
        return CountLines.from_json(parsed)


@dataclass
class CountImportPreview:
    count_import: CountImport
    check: CountCheck | None = None
    lines: int = 0
    file_errors: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return fingerprint_digest(self.check.fingerprint) if self.check else ""

    @property
    def can_commit(self) -> bool:
        return (
            self.check is not None
            and not self.check.errors
            and self.count_import.status == CountImport.Status.PREVIEWED
        )


def count_import_preview(*, count_import: CountImport, user) -> CountImportPreview:
    """Check the upload's lines as `user` would save them, against the database as it is now."""
    preview = CountImportPreview(count_import=count_import)
    try:
        count_lines = _count_import_lines(count_import)
    except FileRefused as exc:
        preview.file_errors = exc.errors
        return preview
    count_file = count_lines_resolve(count_lines=count_lines, user=user)
    preview.lines = count_file.lines
    preview.check = count_file_check(count_file=count_file)
    return preview


def count_import_commit(
    *, count_import: CountImport, user, confirm: bool, expected_fingerprint
) -> CountCheck:
    """Save a previewed upload, all rows or none, and mark it saved.

    Raises `CountsRejected` (nothing written) on errors, on unconfirmed warnings, or when the
    rows changed since the preview (`expected_fingerprint`); `ImportAlreadyCommitted` if it was
    saved before; `FileRefused` if its file cannot be read.
    """
    with transaction.atomic():
        # Locked so that two clicks on "Simpan" cannot both save.
        locked = CountImport.objects.select_for_update().defer("content").get(pk=count_import.pk)
        if locked.status == CountImport.Status.COMMITTED:
            raise ImportAlreadyCommitted
        count_file = count_lines_resolve(count_lines=_count_import_lines(locked), user=user)
        check = count_file_save(
            count_file=count_file,
            user=user,
            confirm=confirm,
            count_import=locked,
            expected_fingerprint=expected_fingerprint,
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
        locked.save(update_fields=[*_SAVED_FIELDS, "parsed"])
    count_import.refresh_from_db(fields=_SAVED_FIELDS)
    return check


_SAVED_FIELDS = ["status", "committed_at", "rows", "created", "updated", "unchanged"]


@dataclass(frozen=True)
class UploadsPurged:
    deleted: int
    cleared: int
    uncommitted_hours: int
    content_days: int


def count_imports_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> UploadsPurged:
    """Delete the uploads never saved within `UPLOAD_UNCOMMITTED_HOURS`, and clear the file and
    lines of saved ones after `UPLOAD_CONTENT_DAYS`.

    A saved upload keeps its row for good: who uploaded it and when, the file name, the file's
    SHA-256 and the row counts, which is what the counts' history points at.
    """
    now = now or timezone.now()
    hours = uncommitted_hours()
    days = settings.UPLOAD_CONTENT_DAYS
    abandoned = CountImport.objects.filter(
        status=CountImport.Status.PREVIEWED, uploaded_at__lt=now - dt.timedelta(hours=hours)
    )
    expired = CountImport.objects.filter(
        status=CountImport.Status.COMMITTED,
        committed_at__lt=now - dt.timedelta(days=days),
        content_cleared_at__isnull=True,
    )
    if dry_run:
        return UploadsPurged(abandoned.count(), expired.count(), hours, days)
    with transaction.atomic():
        # Only the keys: the files themselves are never loaded to be deleted.
        deleted = abandoned.only("pk").delete()[1].get(CountImport._meta.label, 0)
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
) -> CountCheck:
    """Check (`dry_run`) or save a file outside the web flow; raises `CountsRejected` or
    `FileRefused` exactly when saving would fail, dry run or not.

    With a `user`, the file is kept as a saved `CountImport` of theirs, like an upload.
    """
    if user is not None:
        upload_file_name(file_name)
    count_lines = count_lines_read(content=content, file_name=file_name)
    count_file = count_lines_resolve(count_lines=count_lines, user=user)
    if dry_run:
        check = count_file_check(count_file=count_file, today=today)
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
        )
        if count_import is not None:
            count_import.status = CountImport.Status.COMMITTED
            count_import.committed_at = timezone.now()
            count_import.created = check.created
            count_import.updated = check.updated
            count_import.unchanged = check.unchanged
            count_import.save()
    return check
