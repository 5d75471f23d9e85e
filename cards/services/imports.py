"""Card reports from a CSV or XLSX file, for `manage.py import_card_reports` and the upload
page: read strictly, every value problem named by line and column, then checked and saved by
the same service as the entry form, all rows or none.

The header must hold exactly the columns `date, area, print_ready, duplicates, failed,
printed, spoiled, suket_issued, received, handed_out`: a misspelt column would otherwise be
ignored and its figures lost without a word. A blank cell is "not reported"; `area` is an
official code, a regency (16.09) for the print office's figures or a kecamatan (16.09.01) for
received and handed out.
"""

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cards.choices import FIGURE_COLUMNS
from cards.models import CardReportUpload
from cards.services.reports import (
    AREA,
    DATE,
    CardReportsRejected,
    ReportCheck,
    ReportRow,
    card_reports_check,
    card_reports_save,
)
from common import xlsx_reader
from common.days import format_day
from common.formatting import fmt_int
from common.parsing import (
    CSV_DELIMITERS,
    FILE_TYPES,
    CellError,
    FileRefused,
    Table,
    is_blank,
    parse_date,
    parse_whole_number,
    read_csv,
    table_file_type,
)
from districts.models import Regency, SubDistrict
from recording.choices import ImportNotice, ImportStatus
from recording.models import EntrySource
from recording.services.counts import Problem
from recording.services.imports import (
    MAX_PROBLEMS_SHOWN,
    MAX_UPLOAD_LINES,
    SAMPLE_ROWS,
    CountUploadForm,
    ImportAlreadyCommitted,
    ImportNotReady,
    UploadPreview,
    control_character_problems,
    upload_file_name,
    upload_move,
)

COLUMNS = (DATE, AREA, *FIGURE_COLUMNS)
_COLUMN_ORDER = {name: number for number, name in enumerate(("", *COLUMNS))}

# A line as read: (line, area code, date, figures).
Line = tuple[int, str, dt.date, dict[str, int | None]]


@dataclass
class CardLines:
    """What a file says before any area is looked up; kept with an upload (`to_json`), so the
    file is read only once."""

    lines: int
    rows: list[Line] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "lines": self.lines,
            "rows": [
                [line, code, date.isoformat(), figures] for line, code, date, figures in self.rows
            ],
            "errors": [[p.line, p.column, p.message] for p in self.errors],
        }

    @classmethod
    def from_json(cls, data: dict) -> "CardLines":
        return cls(
            lines=data["lines"],
            rows=[
                (line, code, dt.date.fromisoformat(date), figures)
                for line, code, date, figures in data["rows"]
            ],
            errors=[Problem(line, column, message) for line, column, message in data["errors"]],
        )


def card_table_read(*, content: bytes, file_name: str) -> Table:
    """The file as a table of exactly `COLUMNS`; `FileRefused` when it cannot be."""
    if table_file_type(file_name) == ".xlsx":
        table = xlsx_reader.worksheet_table(
            content, required=COLUMNS, columns=COLUMNS, seconds=settings.UPLOAD_PARSE_SECONDS
        )
    else:
        table = read_csv(content, required=COLUMNS, delimiters=CSV_DELIMITERS)
    if unknown := [name for name in table.columns if name not in COLUMNS]:
        raise FileRefused(
            [
                f"Judul kolom: kolom tidak dikenal: {', '.join(unknown)}. Kolom yang boleh: "
                f"{', '.join(COLUMNS)}."
            ]
        )
    return table


def _line_read(line: int, values: dict[str, Any], parse_day) -> tuple[Line | None, list[Problem]]:
    problems = control_character_problems(line, values, COLUMNS)
    refused = {problem.column for problem in problems}
    date, code, figures = None, "", {}
    if DATE not in refused:
        try:
            date = parse_day(values.get(DATE))
        except CellError as exc:
            problems.append(Problem(line, DATE, str(exc)))
    if AREA not in refused:
        code = str(values.get(AREA) or "").strip()
        if not code:
            problems.append(Problem(line, AREA, "wajib diisi (kode wilayah, mis. 16.09)."))
    for column in FIGURE_COLUMNS:
        value = values.get(column)
        if column in refused or is_blank(value):
            figures[column] = None
            continue
        try:
            figures[column] = parse_whole_number(value)
        except CellError as exc:
            problems.append(Problem(line, column, str(exc)))
    if problems:
        return None, problems
    return (line, code, date, figures), []


def card_lines_read(*, content: bytes, file_name: str) -> CardLines:
    """Every line of the file, each value checked; no database access. `FileRefused` when the
    file cannot be read as a table at all."""
    table = card_table_read(content=content, file_name=file_name)
    result = CardLines(lines=len(table.rows) + len(table.problems))
    result.errors = [Problem(line, "", message) for line, message in table.problems]
    parse_day = functools.lru_cache(maxsize=1024)(parse_date)
    for line, values in table.rows:
        row, problems = _line_read(line, values, parse_day)
        result.errors.extend(problems)
        if row is not None:
            result.rows.append(row)
    return result


def card_lines_resolve(card_lines: CardLines) -> tuple[list[ReportRow], list[Problem]]:
    """The lines' areas looked up (two queries); an unknown code is a problem of its line."""
    codes = {code for _line, code, _date, _figures in card_lines.rows}
    areas = {
        **{area.code: area for area in Regency.objects.filter(code__in=codes)},
        **{area.code: area for area in SubDistrict.objects.filter(code__in=codes)},
    }
    rows, errors = [], list(card_lines.errors)
    for line, code, date, figures in card_lines.rows:
        if code in areas:
            rows.append(ReportRow(line=line, area=areas[code], date=date, figures=figures))
        else:
            errors.append(
                Problem(
                    line,
                    AREA,
                    gettext(
                        "wilayah %(code)s tidak dikenal; tulis kode kabupaten/kota (mis. 16.09) "
                        "atau kecamatan (mis. 16.09.01)."
                    )
                    % {"code": f'"{code}"'},
                )
            )
    return rows, errors


def card_file_import(
    *, content: bytes, file_name: str, user=None, dry_run: bool = False, today=None
) -> ReportCheck:
    """Check (and unless `dry_run`, save) every line of the file, or none.

    Raises `FileRefused` for a file that cannot be read, `CardReportsRejected` with every
    problem (of reading and of the rules) otherwise.
    """
    rows, read_errors = card_lines_resolve(card_lines_read(content=content, file_name=file_name))
    if read_errors or dry_run:
        # The rules still run on the readable lines, so every problem is listed at once.
        check = card_reports_check(rows=rows, user=user, today=today)
        check.errors = sorted(
            read_errors + check.errors, key=lambda p: (p.line, _COLUMN_ORDER.get(p.column, 99))
        )
        if check.errors:
            raise CardReportsRejected(check)
        return check
    return card_reports_save(rows=rows, user=user, source=EntrySource.IMPORT, today=today)


# --- Uploads (the web flow) -----------------------------------------------------------------------
#
# As the count uploads (`recording.services.imports`): the file is stored at once, read and
# checked by a background task that keeps what it found on the upload (`preview`), and saved by
# another, all rows or none. The status moves along the same `IMPORT_TRANSITIONS`.
#
# A line that changes a report already stored is a warning the operator confirms: a file must
# not overwrite figures typed in the grid (a blank cell clears one) without a word. The preview's
# digest names the stored version of every area-day of the file, so a save is refused when any
# of them changed since the preview.


class CardUploadForm(CountUploadForm):
    """A CSV or XLSX of card reports within the size and line limits whose header can be read."""

    file = forms.FileField(
        label=_("Berkas CSV atau Excel"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FILE_TYPES)}),
        error_messages={
            "required": _("Pilih berkas CSV atau XLSX untuk diunggah."),
            "empty": _("Berkas kosong: baris pertama harus judul kolom date,area,…"),
        },
    )

    def header_read(self, head: bytes) -> None:
        card_table_read(content=head, file_name="head.csv")


def _digest(check: ReportCheck, *, versions=None) -> str:
    """A hash of the stored version of each area-day of the file (0: none yet)."""
    versions = versions or (lambda row: row.existing.version if row.existing else 0)
    keys = sorted((row.area.code, row.date.isoformat(), versions(row)) for row in check.rows)
    return hashlib.sha256(json.dumps(keys, separators=(",", ":")).encode()).hexdigest()


def _versions_before_save(row: ReportRow) -> int:
    # `card_reports_save` bumps the version of each report it changes by one.
    if row.existing is None:
        return 0
    return row.existing.version - (1 if row.action == "update" else 0)


def _shown(value: int | None) -> str:
    return gettext("kosong") if value is None else fmt_int(value)


def update_warnings(check: ReportCheck) -> list[Problem]:
    """One warning per line that changes a stored report, naming each figure it changes."""
    warnings = []
    for row in check.rows:
        if row.action != "update":
            continue
        old, new = row.existing.figures(), row.stored()
        changes = ", ".join(
            f"{column} {_shown(old[column])} → {_shown(new[column])}"
            for column in new
            if old[column] != new[column]
        )
        warnings.append(
            Problem(
                row.line,
                AREA,
                gettext(
                    "laporan %(area)s tanggal %(day)s sudah tersimpan dan akan diubah: %(changes)s."
                )
                % {
                    "area": f"{row.area.code} {row.area.name}",
                    "day": format_day(row.date),
                    "changes": changes,
                },
            )
        )
    return warnings


@dataclass
class CardUploadCheck:
    """What saving an upload would do: the service's check, the problems of reading the file,
    and the warnings to confirm."""

    check: ReportCheck
    errors: list[Problem]
    warnings: list[Problem]

    @property
    def digest(self) -> str:
        return "" if self.errors else _digest(self.check)


def card_lines_check(*, card_lines: CardLines, user, today=None) -> CardUploadCheck:
    """Every problem of the lines (reading, areas, rules) and the warnings, in a fixed number of
    queries; nothing is written."""
    rows, read_errors = card_lines_resolve(card_lines)
    check = card_reports_check(rows=rows, user=user, today=today)
    errors = sorted(
        read_errors + check.errors, key=lambda p: (p.line, _COLUMN_ORDER.get(p.column, 99))
    )
    return CardUploadCheck(check=check, errors=errors, warnings=update_warnings(check))


class CardUploadRejected(Exception):
    """Nothing was written: the upload's lines may not be saved as they are now."""

    def __init__(self, notice: str):
        self.notice = notice
        super().__init__(notice)


def card_upload_create(*, file_name: str, content: bytes, lines: int, user) -> CardReportUpload:
    """Keep an upload, waiting to be read and checked (`card_upload_check`)."""
    return CardReportUpload.objects.create(
        file_name=upload_file_name(file_name),
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        rows=lines,
        status=ImportStatus.QUEUED,
        progress_at=timezone.now(),
    )


def card_upload_get(*, pk: int, user, with_preview: bool = True) -> CardReportUpload:
    """The upload if `user` made it (or is a superuser); `DoesNotExist` otherwise."""
    deferred = ["content", "parsed"] if with_preview else ["content", "parsed", "preview"]
    queryset = CardReportUpload.objects.select_related("uploaded_by").defer(*deferred)
    if not user.is_superuser:
        queryset = queryset.filter(uploaded_by=user)
    return queryset.get(pk=pk)


def _upload_lines(upload: CardReportUpload) -> CardLines:
    """The lines the upload was read into; read now (once) if it was not. `FileRefused`."""
    parsed = upload.parsed
    if parsed is None:
        try:
            card_lines = card_lines_read(content=bytes(upload.content), file_name=upload.file_name)
            if card_lines.lines > MAX_UPLOAD_LINES:
                raise FileRefused(
                    [
                        gettext(
                            "Berkas berisi lebih dari %(limit)s baris data; bagi menjadi "
                            "beberapa berkas."
                        )
                        % {"limit": fmt_int(MAX_UPLOAD_LINES)}
                    ]
                )
            parsed = card_lines.to_json()
        except FileRefused as exc:
            parsed = {"refused": [str(e) for e in exc.errors]}
        CardReportUpload.objects.filter(pk=upload.pk).update(parsed=parsed)
        upload.parsed = parsed
    if "refused" in parsed:
        raise FileRefused(parsed["refused"])
    return CardLines.from_json(parsed)


def _preview_of(found: CardUploadCheck, *, lines: int) -> dict:
    """What the page shows of a check, small enough to store with the upload."""
    check = found.check
    changing = [row for row in check.rows if row.action in ("create", "update")]
    return {
        "lines": lines,
        "created": check.created,
        "updated": check.updated,
        "unchanged": check.unchanged,
        "error_count": len(found.errors),
        "warning_count": len(found.warnings),
        "errors": [str(p) for p in found.errors[:MAX_PROBLEMS_SHOWN]],
        "warnings": [str(p) for p in found.warnings[:MAX_PROBLEMS_SHOWN]],
        "changing": len(changing),
        "sample": [
            {
                "line": row.line,
                "area": f"{row.area.code} {row.area.name}",
                "date": row.date.isoformat(),
                "action": row.action,
                "figures": [
                    [column, value, row.existing.figures()[column] if row.existing else None]
                    for column, value in row.stored().items()
                ],
            }
            for row in changing[:SAMPLE_ROWS]
        ],
        "digest": found.digest,
    }


def card_upload_check(*, pk: int) -> bool:
    """Read a waiting upload and check its lines as its uploader would save them, against the
    database as it is now; keep what was found. False if the upload was not waiting."""
    if not upload_move(CardReportUpload, pk, "read", progress_done=0, progress_total=0, notice=""):
        return False
    upload = CardReportUpload.objects.select_related("uploaded_by").defer("preview").get(pk=pk)
    try:
        card_lines = _upload_lines(upload)
    except FileRefused as exc:
        return upload_move(CardReportUpload, pk, "preview", preview={"file_errors": exc.errors})
    upload_move(CardReportUpload, pk, "check", rows=card_lines.lines)
    found = card_lines_check(card_lines=card_lines, user=upload.uploaded_by)
    return upload_move(
        CardReportUpload, pk, "preview", preview=_preview_of(found, lines=card_lines.lines)
    )


def card_upload_recheck(*, upload: CardReportUpload) -> bool:
    """Let an upload be checked again (after a failure or a worker that stopped)."""
    return upload_move(
        CardReportUpload, upload.pk, "recheck", preview=None, progress_done=0, notice=""
    )


def card_upload_fail(*, pk: int, notice: str) -> bool:
    """Mark a running upload failed: its task crashed; nothing was saved."""
    return upload_move(CardReportUpload, pk, "fail", notice=notice)


def card_upload_commit_queue(*, upload: CardReportUpload) -> bool:
    """Claim a previewed upload for saving; False if it is not waiting to be saved."""
    return upload_move(
        CardReportUpload, upload.pk, "commit", notice="", progress_done=0, progress_total=0
    )


def card_upload_commit(
    *, upload: CardReportUpload, user, confirm: bool, expected_digest: str
) -> ReportCheck:
    """Save a previewed upload, all rows or none, and mark it saved.

    Raises `CardUploadRejected` (nothing written) when its lines now hold errors, when a stored
    report of the file changed since the preview (`expected_digest`), or when it changes stored
    reports and `confirm` is not given; `ImportAlreadyCommitted`, `ImportNotReady`,
    `FileRefused` as for a count upload.
    """
    with transaction.atomic():
        locked = CardReportUpload.objects.select_for_update().defer("content").get(pk=upload.pk)
        if locked.status == ImportStatus.COMMITTED:
            raise ImportAlreadyCommitted
        if locked.status not in (ImportStatus.PREVIEWED, ImportStatus.COMMITTING):
            raise ImportNotReady
        card_lines = _upload_lines(locked)
        rows, read_errors = card_lines_resolve(card_lines)
        if read_errors:
            raise CardUploadRejected(ImportNotice.NOW_ERRORS)
        try:
            check = card_reports_save(
                rows=rows, user=user, source=EntrySource.IMPORT, upload=locked
            )
        except CardReportsRejected:
            raise CardUploadRejected(ImportNotice.NOW_ERRORS) from None
        # The save checked the rows under its locks; what it found stored is compared with
        # what the preview showed, and a difference undoes the save.
        if _digest(check, versions=_versions_before_save) != expected_digest:
            raise CardUploadRejected(ImportNotice.CHANGED)
        if check.updated and not confirm:
            raise CardUploadRejected(ImportNotice.CONFIRM)
        locked.status = ImportStatus.COMMITTED
        locked.committed_at = locked.progress_at = timezone.now()
        locked.rows = card_lines.lines
        locked.created, locked.updated, locked.unchanged = (
            check.created,
            check.updated,
            check.unchanged,
        )
        # A saved upload is never previewed again; its row counts above are what stays.
        locked.parsed = locked.preview = None
        locked.notice = ""
        locked.save(
            update_fields=[
                "status",
                "committed_at",
                "progress_at",
                "rows",
                "created",
                "updated",
                "unchanged",
                "parsed",
                "preview",
                "notice",
            ]
        )
    return check


def card_upload_commit_run(*, pk: int, user_id: int, confirm: bool, digest: str) -> str:
    """The save of an upload claimed by `card_upload_commit_queue`, as its task runs it. When
    it may not be saved, nothing is written: the upload goes back to previewed with a fresh
    preview and a notice saying why. Returns the status the upload ended in."""
    upload = CardReportUpload.objects.defer("content", "parsed", "preview").get(pk=pk)
    user = get_user_model().objects.get(pk=user_id)
    try:
        card_upload_commit(upload=upload, user=user, confirm=confirm, expected_digest=digest)
    except (ImportAlreadyCommitted, ImportNotReady):
        pass
    except FileRefused as exc:
        upload_move(
            CardReportUpload,
            pk,
            "preview",
            preview={"file_errors": exc.errors},
            notice=ImportNotice.NOW_ERRORS,
        )
    except CardUploadRejected as rejected:
        upload = CardReportUpload.objects.defer("content").get(pk=pk)
        card_lines = _upload_lines(upload)
        found = card_lines_check(card_lines=card_lines, user=user)
        upload_move(
            CardReportUpload,
            pk,
            "preview",
            preview=_preview_of(found, lines=card_lines.lines),
            notice=rejected.notice,
        )
    return CardReportUpload.objects.values_list("status", flat=True).get(pk=pk)


class CardUploadPreview(UploadPreview):
    """A card upload's sample lines are stored as dictionaries (area, figures old and new)."""

    @staticmethod
    def sample_row(stored) -> dict:
        return dict(stored)
