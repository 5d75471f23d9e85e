"""Writes to the region tree and the eligible populations."""

import csv
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from common.formatting import fmt_changes, fmt_int
from common.parsing import (
    NO_DATA,
    REQUIRED,
    WHOLE_NUMBER_RE,
    CellError,
    FileRefused,
    control_character_error,
    parse_date,
    parse_whole_number,
    read_csv,
)
from common.progress import ProgressCallback, progress_iter

from .models import (
    PROVINCE_CODE_RE,
    REGENCY_CODE_RE,
    SUB_DISTRICT_CODE_RE,
    EligiblePopulation,
    Province,
    Regency,
    SubDistrict,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class RegionImportResult:
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]

    def summary(self) -> str:
        return "; ".join(
            f"{gettext(level)}: "
            + fmt_changes(
                self.created[level], self.updated[level], self.unchanged[level], grouped=False
            )
            for level in self.created
        )


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(
    model, rows: list[dict], fields: list[str], progress: ProgressCallback | None, level: str
) -> tuple[int, int, int]:
    """Insert new codes and update changed ones in bulk; returns (created, updated, unchanged).

    `progress` hears of the new and changed rows as they are validated (the slow part).
    """
    label = f"Memuat {level}"
    if progress:
        progress(label, 0, None)
    existing = {obj.code: obj for obj in model.objects.filter(code__in=[r["code"] for r in rows])}
    to_create, to_update = [], []
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            to_create.append(model(**row))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            to_update.append(obj)
    changed = to_create + to_update
    for obj in progress_iter(changed, progress, label, total=len(changed), every=250):
        obj.full_clean(validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(to_create, batch_size=2000)
    model.objects.bulk_update(to_update, fields, batch_size=2000)
    return len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update)


@transaction.atomic
def regions_import(
    *, data_dir: Path = DATA_DIR, progress: ProgressCallback | None = None
) -> RegionImportResult:
    """Load the bundled Kemendagri code list; codes are keys, so a renamed region is updated."""
    provinces = [
        {"code": r["code"], "name": r["name"]} for r in _read_rows(data_dir / "provinces.csv")
    ]
    regencies = [
        {
            "code": r["code"],
            "province_id": r["province_code"],
            "name": r["name"],
            "kind": Regency.kind_from_name(r["name"]),
        }
        for r in _read_rows(data_dir / "regencies.csv")
    ]
    sub_districts = [
        {"code": r["code"], "regency_id": r["regency_code"], "name": r["name"]}
        for r in _read_rows(data_dir / "districts.csv")
    ]
    result = RegionImportResult({}, {}, {})
    for label, model, rows, fields in [
        (gettext_noop("provinsi"), Province, provinces, ["name"]),
        (gettext_noop("kabupaten/kota"), Regency, regencies, ["province_id", "name", "kind"]),
        (gettext_noop("kecamatan"), SubDistrict, sub_districts, ["regency_id", "name"]),
    ]:
        created, updated, unchanged = _upsert(model, rows, fields, progress, label)
        result.created[label] = created
        result.updated[label] = updated
        result.unchanged[label] = unchanged
    return result


# --- Eligible population (wajib KTP) ------------------------------------------------------------

POPULATION_COLUMNS = ("code", "eligible", "as_of")
_SOURCE_MAX_LENGTH = EligiblePopulation._meta.get_field("source").max_length
_VILLAGE_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
_COLUMN_RANK = {"code": 1, "code dan as_of": 1, "eligible": 2, "as_of": 3, "source": 4}


class PopulationImportError(Exception):
    """An import refused whole: nothing was written; `errors` lists every problem, in line order."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class PopulationImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False

    def summary(self) -> str:
        return fmt_changes(self.created, self.updated, self.unchanged, grouped=False)


def _parse_code(value: Any) -> str:
    code = str(value or "").strip()
    if not code:
        raise CellError(gettext(REQUIRED))
    if re.match(SUB_DISTRICT_CODE_RE, code):
        return code
    if re.match(REGENCY_CODE_RE, code):
        message = gettext('"%(code)s" adalah kode kabupaten/kota, bukan kode kecamatan.')
    elif re.match(PROVINCE_CODE_RE, code):
        message = gettext('"%(code)s" adalah kode provinsi, bukan kode kecamatan.')
    elif re.match(_VILLAGE_CODE_RE, code):
        message = gettext('"%(code)s" adalah kode desa/kelurahan, bukan kode kecamatan.')
    else:
        message = gettext('"%(code)s" bukan kode kecamatan; tulis seperti 16.08.12.')
    raise CellError(message % {"code": code})


def _parse_eligible(value: Any) -> int:
    try:
        return parse_whole_number(value)
    except CellError:
        # This import has always said "not a whole non-negative number" for both a negative
        # and a malformed figure; an empty or too large one keeps the shared wording.
        text = str(value if value is not None else "").strip()
        if text and not WHOLE_NUMBER_RE.fullmatch(text):
            raise CellError(
                gettext('"%(value)s" bukan bilangan bulat tidak negatif.') % {"value": text}
            ) from None
        raise


def _population_csv_rows(file) -> tuple[list[tuple[int, dict]], list[tuple[int, int, str]]]:
    """Split a CSV into numbered rows keyed by lower-cased header, plus line-level problems.

    Refuses the file outright (raising) when there is nothing to validate row by row: it is
    empty, not UTF-8, or its header lacks a required column.
    """
    data = Path(file).read_bytes() if isinstance(file, str | os.PathLike) else file.read()
    try:
        table = read_csv(data, required=POPULATION_COLUMNS)
    except FileRefused as exc:
        raise PopulationImportError(exc.errors) from None
    errors = [
        (line, 0, gettext("Baris %(line)s: %(problem)s") % {"line": line, "problem": problem})
        for line, problem in table.problems
    ]
    return table.rows, errors


@transaction.atomic
def _population_save(
    numbered_rows: Iterable[tuple[int, Mapping]],
    *,
    source: str,
    dry_run: bool,
    errors: Iterable[tuple[int, int, str]] = (),
) -> PopulationImportResult:
    """Validate every row, then write all of them or none: two reads, then bulk writes."""
    errors = list(errors)
    if problem := control_character_error(source):
        raise PopulationImportError([gettext("Sumber data %(problem)s") % {"problem": problem}])
    source = source.strip()
    if len(source) > _SOURCE_MAX_LENGTH:
        raise PopulationImportError(
            [
                gettext("Sumber data terlalu panjang: paling banyak %(maximum)s karakter.")
                % {"maximum": fmt_int(_SOURCE_MAX_LENGTH)}
            ]
        )

    def refuse(line: int, column: str, problem: str):
        # Sorted later by line, then in the column order the file is usually written in.
        rank = _COLUMN_RANK.get(column, len(_COLUMN_RANK))
        where = gettext("Baris %(line)s, kolom %(column)s") % {"line": line, "column": column}
        errors.append((line, rank, f"{where}: {problem}"))

    figures: list[tuple[int, EligiblePopulation]] = []
    code_lines: list[tuple[int, str]] = []
    first_line_of: dict[tuple[str, dt.date], int] = {}
    row_count = 0
    for line, raw in numbered_rows:
        row_count += 1
        row = {str(key).strip().lower(): value for key, value in raw.items()}
        values = {}
        # A control character is refused before a value is parsed, so no message repeats it.
        controlled = {
            column: problem
            for column in (*POPULATION_COLUMNS, "source")
            if isinstance(row.get(column), str)
            and (problem := control_character_error(row[column]))
        }
        for column, problem in controlled.items():
            refuse(line, column, problem)
        for column, parse in [
            ("code", _parse_code),
            ("eligible", _parse_eligible),
            ("as_of", parse_date),
        ]:
            if column in controlled:
                continue
            try:
                values[column] = parse(row.get(column))
            except CellError as exc:
                refuse(line, column, str(exc))
        row_source = "" if "source" in controlled else str(row.get("source") or "").strip()
        row_source = row_source or source
        if len(row_source) > _SOURCE_MAX_LENGTH:
            refuse(
                line,
                "source",
                gettext("paling banyak %(maximum)s karakter.")
                % {"maximum": fmt_int(_SOURCE_MAX_LENGTH)},
            )
        if "code" in values:
            code_lines.append((line, values["code"]))
        if len(values) < len(POPULATION_COLUMNS):
            continue
        key = (values["code"], values["as_of"])
        if key in first_line_of:
            refuse(
                line,
                "code dan as_of",
                gettext("kecamatan %(code)s per %(date)s sudah ada di baris %(line)s.")
                % {"code": key[0], "date": f"{key[1]:%Y-%m-%d}", "line": first_line_of[key]},
            )
            continue
        first_line_of[key] = line
        figure = EligiblePopulation(
            sub_district_id=values["code"],
            as_of=values["as_of"],
            eligible=values["eligible"],
            source=row_source,
        )
        try:
            # The sub-district is checked against the database below, for all rows at once.
            figure.full_clean(
                exclude=["sub_district"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    refuse(line, field, message)
            continue
        figures.append((line, figure))

    if not row_count and not errors:
        errors.append((0, 0, gettext(NO_DATA)))
    known = set(
        SubDistrict.objects.filter(code__in={code for _, code in code_lines}).values_list(
            "code", flat=True
        )
    )
    for line, code in code_lines:
        if code not in known:
            refuse(
                line,
                "code",
                gettext('kecamatan dengan kode "%(code)s" tidak dikenal.') % {"code": code},
            )
    if errors:
        raise PopulationImportError([message for *_, message in sorted(errors)])

    existing = {
        (figure.sub_district_id, figure.as_of): figure
        for figure in EligiblePopulation.objects.filter(
            sub_district_id__in={f.sub_district_id for _, f in figures},
            as_of__in={f.as_of for _, f in figures},
        )
    }
    to_create, to_update = [], []
    for _, figure in figures:
        current = existing.get((figure.sub_district_id, figure.as_of))
        if current is None:
            to_create.append(figure)
        # An empty source never erases the one already recorded.
        elif current.eligible != figure.eligible or (
            figure.source and current.source != figure.source
        ):
            current.eligible = figure.eligible
            current.source = figure.source or current.source
            to_update.append(current)
    if not dry_run:
        EligiblePopulation.objects.bulk_create(to_create, batch_size=2000)
        EligiblePopulation.objects.bulk_update(to_update, ["eligible", "source"], batch_size=2000)
    return PopulationImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(figures) - len(to_create) - len(to_update),
        dry_run=dry_run,
    )


def population_import(
    *, file: str | os.PathLike | IO, source: str = "", dry_run: bool = False
) -> PopulationImportResult:
    """Load eligible-population figures from a CSV (a path or an open file) — all rows or none.

    Header `code,eligible,as_of` in any order, names case-insensitive, an optional `source`
    column; UTF-8 with or without BOM. A (kecamatan, as_of) pair already stored is updated.
    Every problem in the file is collected into one `PopulationImportError`, each naming its
    line (the header is line 1), its column and the problem; then nothing is written.
    `source` fills in rows whose own `source` is empty. `dry_run` validates and counts only.
    """
    rows, errors = _population_csv_rows(file)
    return _population_save(rows, source=source, dry_run=dry_run, errors=errors)


def population_import_rows(
    *, rows: Iterable[Mapping[str, Any]], source: str = "", dry_run: bool = False
) -> PopulationImportResult:
    """Same rules as `population_import`, for dicts with keys code, eligible, as_of (source).

    Values may be strings as in the CSV, or an `int` and a `datetime.date`. Errors number the
    rows from 1.
    """
    return _population_save(enumerate(rows, start=1), source=source, dry_run=dry_run)
