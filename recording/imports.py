"""Daily counts from a CSV or XLSX file: reading it, the upload form, and the import services.

The upload page and `manage.py import_counts` go through the same functions: the file is read
into `CountRow`s (every value problem becomes a `Problem` naming its line and column), then
`daily_counts_check` previews and `daily_counts_save` commits, all rows or none.
"""

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from districts.selectors import user_scope
from ektp_tracker.parsing import (
    CSV_DELIMITERS,
    CellError,
    FileRefused,
    Table,
    format_number,
    parse_date,
    parse_whole_number,
    read_csv,
    table_from_records,
)

from .models import CountImport, DailyCount, EntrySource, RecordingDevice
from .selectors import devices_in_scope
from .services import (
    Column,
    CountCheck,
    CountRow,
    CountsRejected,
    Problem,
    daily_counts_check,
    daily_counts_save,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_TYPES = (".csv", ".xlsx")
REQUIRED_COLUMNS = (Column.DATE, Column.DEVICE, Column.COUNT)
NOTE_MAX_LENGTH = DailyCount._meta.get_field("note").max_length
# Problems of one line are listed in the order the columns are usually written.
_COLUMN_ORDER = {"": 0, Column.DATE: 1, Column.DEVICE: 2, Column.COUNT: 3, Column.NOTE: 4}
# Distinct serials per query: one query for any real file, within SQLite's parameter limit.
_SERIALS_PER_QUERY = 10_000


# --- Reading a file -------------------------------------------------------------------------------


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


def _xlsx_table(content: bytes) -> Table:
    """The first worksheet as a table; line numbers are the sheet's row numbers."""
    # Imported here: openpyxl takes a moment to load and most files are CSV.
    from openpyxl import load_workbook

    records = []
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Some programs declare a wrong sheet size; read whatever rows are there.
            sheet.reset_dimensions()
            for cells in sheet.iter_rows():
                # Empty cells carry no row number; a row without any value is skipped anyway.
                line = next((cell.row for cell in cells if getattr(cell, "row", None)), None)
                if line is not None:
                    records.append((line, [cell.value for cell in cells]))
        finally:
            workbook.close()
    except Exception:
        # A damaged file fails anywhere in zipfile, the XML parser or openpyxl, and lazily.
        raise FileRefused(
            ["Berkas XLSX tidak dapat dibaca; buka di Excel atau LibreOffice lalu simpan ulang."]
        ) from None
    table = table_from_records(records, required=REQUIRED_COLUMNS)
    if not table.rows and not table.problems:
        raise FileRefused(["Tidak ada data untuk diimpor: tidak ada baris sesudah judul kolom."])
    return table


def count_table_read(*, content: bytes, file_name: str) -> Table:
    """The file as a table of `date,device,count[,note]`; `FileRefused` when it cannot be.

    CSV: UTF-8 with or without BOM, `,` or `;` between columns. XLSX: the first worksheet.
    """
    if _file_type(file_name) == ".xlsx":
        return _xlsx_table(content)
    return read_csv(content, required=REQUIRED_COLUMNS, delimiters=CSV_DELIMITERS)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a serial typed as a number in Excel
    return str(value if value is not None else "").strip()


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


def count_file_read(*, content: bytes, file_name: str, user=None) -> CountFile:
    """Parse every line and resolve serials in one query; `user` limits the devices to their
    area (None: no limit, for the command run by an administrator). Raises `FileRefused`."""
    with _collector_paused():
        return _count_file_read(content, file_name, user)


def _count_file_read(content: bytes, file_name: str, user) -> CountFile:
    table = count_table_read(content=content, file_name=file_name)
    result = CountFile(lines=len(table.rows) + len(table.problems))
    result.errors = [Problem(line, "", message) for line, message in table.problems]
    parsed = []
    # A file repeats the same few dozen dates on every device's lines.
    parse_day = functools.lru_cache(maxsize=1024)(parse_date)
    for line, values in table.rows:
        problems = []
        try:
            date = parse_day(values.get(Column.DATE))
        except CellError as exc:
            problems.append(Problem(line, Column.DATE, str(exc)))
        serial = _text(values.get(Column.DEVICE))
        if not serial:
            problems.append(Problem(line, Column.DEVICE, "wajib diisi (nomor seri alat)."))
        try:
            count = parse_whole_number(values.get(Column.COUNT))
        except CellError as exc:
            problems.append(Problem(line, Column.COUNT, str(exc)))
        note = _text(values.get(Column.NOTE))
        if len(note) > NOTE_MAX_LENGTH:
            problems.append(
                Problem(
                    line,
                    Column.NOTE,
                    f"terlalu panjang ({format_number(len(note))} karakter); "
                    f"paling banyak {NOTE_MAX_LENGTH}.",
                )
            )
        if problems:
            result.errors.extend(problems)
            # An unknown serial is still worth naming on a line with other problems.
            if serial:
                parsed.append((line, serial, None, None, None))
        else:
            parsed.append((line, serial, date, count, note))

    devices = _devices_by_serial({serial for _, serial, *_ in parsed}, user)
    for line, serial, date, count, note in parsed:
        device = devices.get(serial)
        if device is None:
            result.errors.append(
                Problem(line, Column.DEVICE, f'alat dengan nomor seri "{serial}" tidak dikenal.')
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
    """A CSV or XLSX file that can be read as a table; once valid, `content` holds its bytes
    and `lines` its number of data lines (the rows themselves are checked on the preview)."""

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
            table = count_table_read(content=content, file_name=upload.name)
        except FileRefused as exc:
            raise forms.ValidationError(exc.errors) from None
        self.content = content
        self.lines = len(table.rows) + len(table.problems)
        return upload


class CountImportCommitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa peringatan di atas dan angka-angka itu memang benar."),
        required=False,
    )


def count_import_create(*, file_name: str, content: bytes, lines: int, user) -> CountImport:
    return CountImport.objects.create(
        file_name=PurePath(file_name).name[:255],
        content=content,
        uploaded_by=user,
        rows=lines,
    )


def count_import_get(*, pk: int, user) -> CountImport:
    """The upload if `user` made it (or is a superuser); `DoesNotExist` otherwise."""
    queryset = CountImport.objects.select_related("uploaded_by")
    if not user.is_superuser:
        queryset = queryset.filter(uploaded_by=user)
    return queryset.get(pk=pk)


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
    """Re-read the stored file and check it as `user` would save it."""
    preview = CountImportPreview(count_import=count_import)
    try:
        count_file = count_file_read(
            content=bytes(count_import.content), file_name=count_import.file_name, user=user
        )
    except FileRefused as exc:
        preview.file_errors = exc.errors
        return preview
    preview.lines = count_file.lines
    preview.check = count_file_check(count_file=count_file)
    return preview


def count_import_commit(
    *, count_import: CountImport, user, confirm: bool, expected_fingerprint
) -> CountCheck:
    """Save a previewed upload, all rows or none, and mark it saved.

    Raises `CountsRejected` (nothing written) on errors, on unconfirmed warnings, or when the
    rows changed since the preview (`expected_fingerprint`); `ImportAlreadyCommitted` if it was
    saved before.
    """
    with transaction.atomic():
        # Locked so that two clicks on "Simpan" cannot both save.
        locked = CountImport.objects.select_for_update().get(pk=count_import.pk)
        if locked.status == CountImport.Status.COMMITTED:
            raise ImportAlreadyCommitted
        count_file = count_file_read(
            content=bytes(locked.content), file_name=locked.file_name, user=user
        )
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
        locked.save(
            update_fields=["status", "committed_at", "rows", "created", "updated", "unchanged"]
        )
    count_import.refresh_from_db(
        fields=["status", "committed_at", "rows", "created", "updated", "unchanged"]
    )
    return check


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
    count_file = count_file_read(content=content, file_name=file_name, user=user)
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
