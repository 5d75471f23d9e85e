"""Importing eligible-population (wajib KTP) figures from CSV: all rows or none."""

import datetime as dt
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from districts.models import EligiblePopulation, SubDistrict
from districts.services import (
    PopulationImportError,
    population_import,
    population_import_rows,
)

pytestmark = pytest.mark.django_db

GOOD = """code,eligible,as_of,source
16.08.12,1000,2012-04-16,Dukcapil OKU Timur
16.08.12,1200,2012-10-01,
16.08.01,2500,2012-04-16,Dukcapil OKU Timur
"""


@pytest.fixture
def csv_file(tmp_path):
    numbers = itertools.count(1)

    def write(text: str, encoding: str = "utf-8"):
        path = tmp_path / f"wajib_ktp_{next(numbers)}.csv"
        path.write_text(text, encoding=encoding)
        return path

    return write


def _figures() -> dict[tuple[str, str], tuple[int, str]]:
    return {
        (f.sub_district_id, f"{f.as_of:%Y-%m-%d}"): (f.eligible, f.source)
        for f in EligiblePopulation.objects.all()
    }


def _refusal(path) -> list[str]:
    with pytest.raises(PopulationImportError) as refused:
        population_import(file=path)
    return refused.value.errors


def test_good_file_imports_every_row(csv_file):
    result = population_import(file=csv_file(GOOD), source="Laporan bulanan")

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert _figures() == {
        ("16.08.12", "2012-04-16"): (1000, "Dukcapil OKU Timur"),
        ("16.08.12", "2012-10-01"): (1200, "Laporan bulanan"),
        ("16.08.01", "2012-04-16"): (2500, "Dukcapil OKU Timur"),
    }


def test_reimport_updates_existing_figures_and_adds_new_ones(csv_file):
    population_import(file=csv_file(GOOD))

    result = population_import(
        file=csv_file(
            "code,eligible,as_of\n"
            "16.08.12,1000,2012-04-16\n"
            "16.08.12,1250,2012-10-01\n"
            "16.08.02,900,2012-04-16\n"
        )
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    figures = _figures()
    assert len(figures) == 4
    assert figures[("16.08.12", "2012-10-01")] == (1250, "")
    assert figures[("16.08.02", "2012-04-16")] == (900, "")
    # A file without a source does not erase the one already recorded.
    assert figures[("16.08.12", "2012-04-16")] == (1000, "Dukcapil OKU Timur")


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (
            "16.08.99,700,2012-04-16",
            'Baris 3, kolom code: kecamatan dengan kode "16.08.99" tidak dikenal.',
        ),
        (
            "16.08.02,-5,2012-04-16",
            'Baris 3, kolom eligible: "-5" bukan bilangan bulat tidak negatif.',
        ),
        (
            "16.08.02,700,2012-04-31",
            'Baris 3, kolom as_of: "2012-04-31" bukan tanggal yang ada di kalender.',
        ),
    ],
    ids=["unknown-code", "negative", "impossible-date"],
)
def test_file_with_one_bad_row_is_refused_whole(csv_file, bad_row, expected):
    path = csv_file(f"code,eligible,as_of\n16.08.01,2500,2012-04-16\n{bad_row}\n")

    assert _refusal(path) == [expected]
    assert EligiblePopulation.objects.count() == 0


def test_file_missing_a_column_is_refused_naming_it(csv_file):
    errors = _refusal(csv_file("code,as_of,source\n16.08.01,2012-04-16,x\n"))

    assert len(errors) == 1
    assert errors[0].startswith("Baris 1: kolom wajib tidak ada: eligible ")
    assert EligiblePopulation.objects.count() == 0


def test_refused_file_leaves_existing_figures_untouched(csv_file):
    population_import(file=csv_file(GOOD))

    _refusal(csv_file("code,eligible,as_of\n16.08.12,1,2012-04-16\n16.08.01,x,2012-04-16\n"))

    assert _figures()[("16.08.12", "2012-04-16")] == (1000, "Dukcapil OKU Timur")


def test_every_error_in_a_file_is_reported(csv_file):
    path = csv_file(
        "code,eligible,as_of\n"
        "16.08.01,2500,2012-04-16\n"
        "16.08.99,-5,2012-04-31\n"
        "16.8.1,abc,kemarin\n"
        ",,\n"
        "16.08.02,12.5,\n"
    )

    errors = _refusal(path)

    assert errors == [
        'Baris 3, kolom code: kecamatan dengan kode "16.08.99" tidak dikenal.',
        'Baris 3, kolom eligible: "-5" bukan bilangan bulat tidak negatif.',
        'Baris 3, kolom as_of: "2012-04-31" bukan tanggal yang ada di kalender.',
        'Baris 4, kolom code: "16.8.1" bukan kode kecamatan; tulis seperti 16.08.12.',
        'Baris 4, kolom eligible: "abc" bukan bilangan bulat tidak negatif.',
        'Baris 4, kolom as_of: "kemarin" bukan tanggal; tulis 2012-04-16 atau 16/04/2012.',
        'Baris 6, kolom eligible: "12.5" bukan bilangan bulat tidak negatif.',
        "Baris 6, kolom as_of: wajib diisi.",
    ]
    assert EligiblePopulation.objects.count() == 0


def test_bom_reordered_header_day_first_date_and_thousands_separator_are_accepted(csv_file):
    path = csv_file(' As_Of , ELIGIBLE ,Code\n16/04/2012,"12.345",16.08.12\n', "utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = population_import(file=path)

    assert result.created == 1
    assert _figures() == {("16.08.12", "2012-04-16"): (12345, "")}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"12,5"', '"12,5" bukan bilangan bulat tidak negatif.'),
        ("-5", '"-5" bukan bilangan bulat tidak negatif.'),
        ("abc", '"abc" bukan bilangan bulat tidak negatif.'),
        ("1.2345", '"1.2345" bukan bilangan bulat tidak negatif.'),
        ("3.000.000.000", '"3.000.000.000" terlalu besar; paling banyak 2.147.483.647.'),
        ("", "wajib diisi."),
    ],
)
def test_eligible_must_be_a_whole_non_negative_number(csv_file, value, problem):
    path = csv_file(f"code,eligible,as_of\n16.08.12,{value},2012-04-16\n")

    assert _refusal(path) == [f"Baris 2, kolom eligible: {problem}"]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("16.08", '"16.08" adalah kode kabupaten/kota, bukan kode kecamatan.'),
        ("16", '"16" adalah kode provinsi, bukan kode kecamatan.'),
    ],
)
def test_regency_or_province_code_is_refused(csv_file, code, problem):
    path = csv_file(f"code,eligible,as_of\n{code},100,2012-04-16\n")

    assert _refusal(path) == [f"Baris 2, kolom code: {problem}"]


def test_same_sub_district_and_date_twice_names_both_lines(csv_file):
    path = csv_file(
        "code,eligible,as_of\n16.08.12,1000,2012-04-16\n16.08.01,5,2012-04-16\n"
        "16.08.12,1100,16/04/2012\n"
    )

    errors = _refusal(path)

    assert errors == [
        "Baris 4, kolom code dan as_of: kecamatan 16.08.12 per 2012-04-16 sudah ada di baris 2."
    ]
    assert EligiblePopulation.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Berkas kosong: baris pertama harus judul kolom code,eligible,as_of."),
        ("\ufeff\n\n", "Berkas kosong: baris pertama harus judul kolom code,eligible,as_of."),
        ("code,eligible,as_of\n", "Tidak ada data untuk diimpor"),
    ],
    ids=["empty", "blank-lines", "header-only"],
)
def test_empty_file_is_refused(csv_file, text, expected):
    errors = _refusal(csv_file(text))

    assert len(errors) == 1
    assert errors[0].startswith(expected)


def test_file_that_is_not_utf8_is_refused(csv_file):
    path = csv_file("code,eligible,as_of,source\n16.08.12,10,2012-04-16,Sékretariat\n", "latin-1")

    assert _refusal(path) == ["Baris 2: berkas bukan teks UTF-8; simpan ulang sebagai CSV UTF-8."]


def test_row_with_more_values_than_columns_is_refused(csv_file):
    path = csv_file("code,eligible,as_of\n16.08.12,12,5,2012-04-16\n")

    assert _refusal(path) == ["Baris 2: berisi 4 nilai, padahal judul hanya 3 kolom."]


def test_command_imports_and_prints_summary(csv_file):
    out = StringIO()

    call_command("import_population", str(csv_file(GOOD)), "--source", "Dukcapil", stdout=out)

    assert "Jumlah wajib KTP dimuat: 3 baru, 0 diperbarui, 0 tetap." in out.getvalue()
    assert _figures()[("16.08.12", "2012-10-01")] == (1200, "Dukcapil")


def test_command_prints_every_error_and_fails(csv_file):
    path = csv_file("code,eligible,as_of\n16.08.99,10,2012-04-16\n16.08.01,-5,2012-04-16\n")
    err = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_population", str(path), stderr=err, stdout=StringIO())

    assert failed.value.returncode == 1
    assert "2 kesalahan" in str(failed.value)
    assert err.getvalue().splitlines() == [
        'Baris 2, kolom code: kecamatan dengan kode "16.08.99" tidak dikenal.',
        'Baris 3, kolom eligible: "-5" bukan bilangan bulat tidak negatif.',
    ]
    assert EligiblePopulation.objects.count() == 0


def test_command_refuses_missing_file(tmp_path):
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        call_command("import_population", str(tmp_path / "tidak_ada.csv"))


def test_dry_run_reports_counts_and_writes_nothing(csv_file):
    population_import(file=csv_file("code,eligible,as_of\n16.08.12,1,2012-04-16\n"))
    out = StringIO()

    call_command("import_population", str(csv_file(GOOD)), "--dry-run", stdout=out)

    assert "tidak ada yang disimpan" in out.getvalue()
    assert "2 baru, 1 diperbarui, 0 tetap" in out.getvalue()
    assert _figures() == {("16.08.12", "2012-04-16"): (1, "")}


def test_rows_import_takes_dicts_with_strings_or_typed_values():
    result = population_import_rows(
        rows=[
            {"code": "16.08.12", "eligible": 1000, "as_of": dt.date(2012, 4, 16)},
            {"code": "16.08.01", "eligible": "2.500", "as_of": "16/04/2012", "source": "Kec."},
        ],
        source="Data demo",
    )

    assert result.created == 2
    assert _figures() == {
        ("16.08.12", "2012-04-16"): (1000, "Data demo"),
        ("16.08.01", "2012-04-16"): (2500, "Kec."),
    }


def test_rows_import_reports_errors_by_row_number():
    with pytest.raises(PopulationImportError) as refused:
        population_import_rows(
            rows=[
                {"code": "16.08.12", "eligible": 1000, "as_of": dt.date(2012, 4, 16)},
                {"code": "16.08.01", "eligible": -1, "as_of": dt.date(2012, 4, 16)},
            ]
        )

    assert refused.value.errors == [
        'Baris 2, kolom eligible: "-1" bukan bilangan bulat tidak negatif.'
    ]
    assert EligiblePopulation.objects.count() == 0


def test_import_query_count_does_not_grow_with_the_file(csv_file, django_assert_max_num_queries):
    codes = SubDistrict.objects.filter(regency_id="16.08").values_list("code", flat=True)
    lines = [
        f"{code},{100 + i},{year}-06-30" for i, code in enumerate(codes) for year in (2011, 2012)
    ]
    path = csv_file("code,eligible,as_of\n" + "\n".join(lines) + "\n")
    population_import(file=csv_file("code,eligible,as_of\n16.08.01,1,2011-06-30\n"))

    with django_assert_max_num_queries(6):
        result = population_import(file=path)

    assert (result.created, result.updated) == (39, 1)
