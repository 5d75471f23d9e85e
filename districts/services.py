"""Writes to the region tree and the eligible populations."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Province, Regency, SubDistrict

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class RegionImportResult:
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]

    def summary(self) -> str:
        return "; ".join(
            f"{level}: {self.created[level]} baru, {self.updated[level]} diperbarui, "
            f"{self.unchanged[level]} tetap"
            for level in self.created
        )


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(model, rows: list[dict], fields: list[str]) -> tuple[int, int, int]:
    """Insert new codes and update changed ones in bulk; returns (created, updated, unchanged)."""
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
    for obj in to_create + to_update:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(to_create, batch_size=2000)
    model.objects.bulk_update(to_update, fields, batch_size=2000)
    return len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update)


@transaction.atomic
def regions_import(*, data_dir: Path = DATA_DIR) -> RegionImportResult:
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
        ("provinsi", Province, provinces, ["name"]),
        ("kabupaten/kota", Regency, regencies, ["province_id", "name", "kind"]),
        ("kecamatan", SubDistrict, sub_districts, ["regency_id", "name"]),
    ]:
        created, updated, unchanged = _upsert(model, rows, fields)
        result.created[label] = created
        result.updated[label] = updated
        result.unchanged[label] = unchanged
    return result
