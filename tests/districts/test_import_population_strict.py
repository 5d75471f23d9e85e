"""The population import reads its CSV as strictly as the count import: no control character
reaches the database, no line holds more values than the header, no value runs past its line."""

import pytest

from districts.models import EligiblePopulation
from districts.services import PopulationImportError, population_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str):
        path = tmp_path / "wajib_ktp.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _refusal(path, **kwargs) -> list[str]:
    with pytest.raises(PopulationImportError) as refused:
        population_import(file=path, **kwargs)
    return refused.value.errors


def test_control_characters_are_errors_naming_line_and_column(csv_file):
    path = csv_file(
        "code,eligible,as_of,source\n"
        "16.08.12,1000,2012-04-16,Dukcapil\x00 OKU Timur\n"
        "16.08\x0b.01,25\x1b00,2012-04-16,\n"
        "16.08.02,2500,2012-04-16,ok\n"
    )

    assert _refusal(path) == [
        "Baris 2, kolom source: berisi karakter kontrol U+0000 (NUL) pada karakter ke-9; hapus "
        "karakter itu.",
        "Baris 3, kolom code: berisi karakter kontrol U+000B pada karakter ke-6; hapus karakter "
        "itu.",
        "Baris 3, kolom eligible: berisi karakter kontrol U+001B pada karakter ke-3; hapus "
        "karakter itu.",
    ]
    assert not EligiblePopulation.objects.exists()


def test_source_given_to_the_import_with_a_control_character_is_refused(csv_file):
    path = csv_file("code,eligible,as_of\n16.08.12,1000,2012-04-16\n")

    assert _refusal(path, source="Laporan\x7f") == [
        "Sumber data berisi karakter kontrol U+007F (DEL) pada karakter ke-8; hapus karakter itu."
    ]
    assert not EligiblePopulation.objects.exists()


def test_blank_value_past_the_header_and_a_value_across_lines_are_errors(csv_file):
    path = csv_file(
        "code,eligible,as_of\n"
        "16.08.12,1000,2012-04-16,\n"
        '16.08.01,2500,2012-04-16\n16.08.02,"2.500\n'
        "16.08.03,3000,2012-04-16\n"
        "16.08.04,1,500,2012-04-16\n"
    )

    assert _refusal(path) == [
        "Baris 2: berisi 4 nilai, padahal judul hanya 3 kolom.",
        'Baris 4: tanda kutip (") dibuka tetapi tidak ditutup di baris ini; satu nilai tidak '
        "boleh melewati akhir baris.",
        "Baris 6: berisi 4 nilai, padahal judul hanya 3 kolom. Angka tidak boleh memakai koma: "
        "tulis 1234 atau 1.234.",
    ]
    assert not EligiblePopulation.objects.exists()
