"""Refusals speak the reader's language: each message in Indonesian, then the same in English,
with numbers grouped the way each language writes them (1.234 / 1,234)."""

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from common import xlsx_reader
from common.parsing import FileRefused
from recording.services.counts import CountRow, CountsRejected, daily_counts_save
from recording.services.imports import count_file_import
from recording.services.repairs import RepairRefused, repair_report_fault
from tests.recording.test_xlsx_reader import xlsx_of

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def timur(make_device):
    """Capacity 100: a count above 300 is refused."""
    return make_device("16.08.01", serial="OKUT-01", daily_capacity=100)


def _file_errors(content: bytes, name: str) -> list[str]:
    with pytest.raises(FileRefused) as refused:
        count_file_import(content=content, file_name=name)
    return refused.value.errors


def _upload_page(client, content: str) -> str:
    upload = SimpleUploadedFile("jumlah.csv", content.encode())
    response = client.post(reverse("count_import_upload"), {"file": upload})
    assert response.status_code == 302
    return html.unescape(client.get(response["Location"]).content.decode())


def test_an_upload_with_a_bad_row_is_explained_in_the_pages_language(
    client, operator_oku_timur, timur
):
    client.force_login(operator_oku_timur)
    content = "date,device,count\n2012-04-16,OKUT-01,1234\n"

    indonesian = _upload_page(client, content)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _upload_page(client, content)

    assert (
        "Baris 2, kolom count: 1.234 untuk alat OKUT-01 melebihi batas 300 "
        "(3× kapasitas harian 100)." in indonesian
    )
    assert (
        "Line 2, column count: 1,234 for device OKUT-01 is over the limit of 300 "
        "(3× the daily capacity of 100)." in english
    )


def test_a_csv_line_too_long_names_its_length_in_each_language(timur):
    content = ("date,device,count\n" + "x" * 12_344 + "\n").encode()

    def errors() -> list[str]:
        with pytest.raises(CountsRejected) as refused:
            count_file_import(content=content, file_name="jumlah.csv")
        return [str(problem) for problem in refused.value.check.errors]

    indonesian = errors()
    with translation.override("en"):
        english = errors()

    assert indonesian == ["Baris 2: baris terlalu panjang (12.345 karakter); paling banyak 10.000."]
    assert english == ["Line 2: line too long (12,345 characters); at most 10,000."]


def test_a_missing_column_of_an_xlsx_is_named_in_each_language(timur):
    # The sheet is read in a child process without Django: the language is handed to it.
    content = xlsx_of([["date", "device"], [dt.datetime(2012, 4, 16), "OKUT-01"]])

    indonesian = _file_errors(content, "april.xlsx")
    with translation.override("en"):
        english = _file_errors(content, "april.xlsx")

    assert indonesian == ["Baris 1: kolom wajib tidak ada: count (kolom yang ada: date, device)."]
    assert english == ["Line 1: required columns missing: count (columns found: date, device)."]


def test_a_sheet_too_wide_counts_its_cells_in_each_language(monkeypatch, timur):
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 1_000)
    content = xlsx_of([["date", "device", "count"]] + [[None, None, 1]] * 1_233)

    (indonesian,) = _file_errors(content, "april.xlsx")
    with translation.override("en"):
        (english,) = _file_errors(content, "april.xlsx")

    assert indonesian == (
        "Lembar pertama terlalu luas: ada nilai sampai baris 334 dan sampai kolom C (di sel "
        "C1), jadi 334 baris × 3 kolom = 1.002 sel; paling banyak 1.000 sel. Hapus isi di "
        "luar tabel, lalu simpan ulang."
    )
    assert english == (
        "The first sheet is too large: it has values down to row 334 and across to column C "
        "(in cell C1), so 334 rows × 3 columns = 1,002 cells; at most 1,000 cells. Delete "
        "what is outside the table, then save again."
    )


def test_a_refused_entry_says_why_in_each_language(timur):
    def refusal() -> str:
        row = CountRow(line=1, device=timur, date=D(2012, 4, 16), count=1234, seen_version=0)
        with pytest.raises(CountsRejected) as refused:
            daily_counts_save(rows=[row], user=None, today=D(2012, 4, 16))
        return str(refused.value)

    indonesian = refusal()
    with translation.override("en"):
        english = refusal()

    assert indonesian == (
        "Baris 1, kolom count: 1.234 untuk alat OKUT-01 melebihi batas 300 "
        "(3× kapasitas harian 100)."
    )
    assert english == (
        "Line 1, column count: 1,234 for device OKUT-01 is over the limit of 300 "
        "(3× the daily capacity of 100)."
    )


def test_a_refused_repair_step_says_why_in_each_language(timur):
    def refusal(**fields) -> list[str]:
        with pytest.raises(RepairRefused) as refused:
            repair_report_fault(device=timur, user=None, **fields)
        return refused.value.messages

    before_commissioning = {"reported_on": D(2011, 1, 3), "symptom": "kamera mati"}
    indonesian = refusal(**before_commissioning) + refusal(reported_on=D(2012, 4, 2), symptom=" ")
    with translation.override("en"):
        english = refusal(**before_commissioning) + refusal(reported_on=D(2012, 4, 2), symptom="")

    assert indonesian == [
        "Tanggal rusak 3 Jan 2011 tidak boleh sebelum 1 Sep 2011 (alat OKUT-01 mulai beroperasi).",
        "Tuliskan gejala kerusakannya, mis. “kamera tidak terdeteksi”.",
    ]
    assert english == [
        "Breakdown date 3 Jan 2011 may not be before 1 Sep 2011 (device OKUT-01 started "
        "operating).",
        "Describe the fault, e.g. “camera not detected”.",
    ]


def test_a_command_error_is_in_the_active_language(tmp_path, timur):
    path = tmp_path / "jumlah.csv"
    path.write_text("date,device,count\n2012-04-16,OKUT-01,5\n")

    def error(*args) -> str:
        with pytest.raises(CommandError) as failed:
            call_command("import_counts", str(path), *args)
        return str(failed.value)

    indonesian = error("--user", "nobody")
    with translation.override("en"):
        english = error("--user", "nobody")

    assert indonesian == "Pengguna nobody tidak ada."
    assert english == "User nobody does not exist."
