"""Bulk import of daily counts from CSV/XLSX: the file rules, the command and the upload pages."""

import datetime as dt
import hashlib
import html
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from common.parsing import FileRefused
from recording.models import (
    CountImport,
    DailyCount,
    DailyCountRevision,
    EntrySource,
    RecordingDevice,
)
from recording.services.counts import CountRow, CountsRejected, daily_counts_save
from recording.services.imports import (
    ImportAlreadyCommitted,
    count_file_import,
    count_import_commit,
    count_import_create,
)
from tests.recording.test_xlsx_reader import xlsx_of

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def timur(make_device):
    """A device in OKU Timur (Martapura), capacity 100: a count above 300 is refused."""
    return make_device("16.08.01", serial="OKUT-01", daily_capacity=100)


@pytest.fixture
def selatan(make_device):
    """A device in OKU Selatan (Muaradua)."""
    return make_device("16.09.01", serial="OKUS-01", daily_capacity=100)


def _counts() -> dict[tuple[str, str], int]:
    return {
        (c.device.serial, f"{c.date:%Y-%m-%d}"): c.count
        for c in DailyCount.objects.select_related("device")
    }


def _import(text: str | bytes, *, name: str = "jumlah.csv", **kwargs):
    content = text.encode() if isinstance(text, str) else text
    return count_file_import(content=content, file_name=name, **kwargs)


def _errors(text: str | bytes, *, name: str = "jumlah.csv", **kwargs) -> list[str]:
    """The messages of a refused file (as the command and the preview list them)."""
    try:
        _import(text, name=name, **kwargs)
    except FileRefused as refused:
        return refused.errors
    except CountsRejected as refused:
        return [str(p) for p in refused.check.errors]
    pytest.fail("the file was accepted")


# --- Files that import ----------------------------------------------------------------------------


def test_good_csv_creates_the_counts_entered_by_the_uploader(timur, operator_oku_timur):
    check = _import(
        "date,device,count,note\n"
        "2012-04-14,OKUT-01,80,\n"
        "2012-04-15,OKUT-01,95,listrik padam\n"
        "2012-04-16,OKUT-01,0,\n",
        user=operator_oku_timur,
    )

    assert (check.created, check.updated, check.unchanged) == (3, 0, 0)
    assert _counts() == {
        ("OKUT-01", "2012-04-14"): 80,
        ("OKUT-01", "2012-04-15"): 95,
        ("OKUT-01", "2012-04-16"): 0,
    }
    saved = DailyCount.objects.get(date=D(2012, 4, 15))
    assert (saved.note, saved.entered_by) == ("listrik padam", operator_oku_timur)
    kept = CountImport.objects.get()
    assert (kept.file_name, kept.status, kept.created) == ("jumlah.csv", "committed", 3)


def test_reimport_with_changed_values_updates_and_keeps_the_old_ones(timur, operator_oku_timur):
    _import("date,device,count\n2012-04-14,OKUT-01,80\n2012-04-15,OKUT-01,95\n")

    check = _import(
        "date,device,count,note\n2012-04-14,OKUT-01,80,\n2012-04-15,OKUT-01,97,salah ketik\n",
        name="perbaikan.csv",
        user=operator_oku_timur,
    )

    assert (check.created, check.updated, check.unchanged) == (0, 1, 1)
    assert _counts()[("OKUT-01", "2012-04-15")] == 97
    revision = DailyCountRevision.objects.get()
    assert (revision.old_count, revision.new_count, revision.new_note) == (95, 97, "salah ketik")
    assert revision.source == EntrySource.IMPORT
    assert revision.count_import.file_name == "perbaikan.csv"
    assert revision.changed_by == operator_oku_timur


def test_semicolons_bom_day_first_dates_and_thousands_are_accepted(make_device):
    make_device("16.08.01", serial="OKUT-BESAR", daily_capacity=500)
    content = "\ufeff Date ; DEVICE ;Count\n16/04/2012;OKUT-BESAR;1.234\n".encode()
    assert content.startswith(b"\xef\xbb\xbf")

    # 1.234 is over the capacity of 500 (but under 3×): saved only when confirmed.
    with pytest.raises(CountsRejected) as refused:
        _import(content)
    assert refused.value.needs_confirmation
    assert "1.234 di atas kapasitas harian" in str(refused.value.check.warnings[0])
    assert not DailyCount.objects.exists()

    _import(content, confirm=True)

    saved = DailyCount.objects.get()
    assert (saved.date, saved.count, saved.needs_follow_up) == (D(2012, 4, 16), 1234, True)


def test_xlsx_with_number_and_date_cells_imports(timur, make_device):
    make_device("16.08.02", serial="12345")
    content = xlsx_of(
        [
            ["Date", "Device", "Count", "Note", "Petugas"],
            [dt.datetime(2012, 4, 16), "OKUT-01", 98, "pagi saja", "Budi"],
            [dt.date(2012, 4, 17), "OKUT-01", 95.0, None, None],
            [dt.datetime(2012, 4, 16), 12345, 7, None, None],
            [None, None, None, None, None],
        ]
    )

    check = _import(content, name="April.XLSX")

    assert check.created == 3
    assert _counts() == {
        ("OKUT-01", "2012-04-16"): 98,
        ("OKUT-01", "2012-04-17"): 95,
        ("12345", "2012-04-16"): 7,
    }


def test_xlsx_errors_name_the_sheet_row(timur):
    content = xlsx_of(
        [
            ["date", "device", "count"],
            [dt.datetime(2012, 4, 16), "OKUT-01", 118],
            [None, None, None],
            [dt.datetime(2012, 4, 17), "OKUT-01", 12.5],
        ]
    )

    assert _errors(content, name="april.xlsx") == [
        'Baris 4, kolom count: "12.5" bukan bilangan bulat.'
    ]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def test_notes_with_tabs_quotes_commas_and_backslashes_are_kept_exactly(timur):
    # A line break is no longer part of a note (see the strict-CSV tests below).
    note = 'kabel "USB"\tganti\\baru, dua kali'
    _import(f"date,device,count,note\n2012-04-16,OKUT-01,5,{_quoted(note)}\n")

    _import(f"date,device,count,note\n2012-04-16,OKUT-01,6,{_quoted(note + ' lagi')}\n")

    saved = DailyCount.objects.get()
    assert (saved.count, saved.note) == (6, note + " lagi")
    revision = DailyCountRevision.objects.get()
    assert (revision.old_note, revision.new_note) == (note, note + " lagi")


def test_extra_columns_are_ignored(timur):
    _import("petugas,date,count,device,keterangan\nBudi,2012-04-16,50,OKUT-01,x\n")

    assert _counts() == {("OKUT-01", "2012-04-16"): 50}


# --- Files that are refused whole -----------------------------------------------------------------


def test_one_bad_line_among_ten_thousand_changes_nothing_and_is_named(make_device):
    devices = [make_device(f"16.08.{n % 20 + 1:02d}", serial=f"OKUT-{n:03d}") for n in range(100)]
    _import("date,device,count\n2012-01-01,OKUT-000,10\n")
    days = [D(2012, 1, 1) + dt.timedelta(days=n) for n in range(100)]
    lines = [f"{day:%Y-%m-%d},{d.serial},20" for d in devices for day in days]
    lines[6999] = lines[6999].replace(",20", ",12a")  # file line 7001 (the header is line 1)

    errors = _errors("date,device,count\n" + "\n".join(lines) + "\n")

    assert errors == [
        'Baris 7001, kolom count: "12a" bukan bilangan bulat (contoh: 120 atau 1.234).'
    ]
    assert _counts() == {("OKUT-000", "2012-01-01"): 10}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2012-04-31,OKUT-01,10",
            'Baris 3, kolom date: "2012-04-31" bukan tanggal yang ada di kalender.',
        ),
        (
            "2012-04-16,OKUT-01,-5",
            'Baris 3, kolom count: "-5" negatif; jumlah tidak boleh kurang dari 0.',
        ),
        (
            "2012-04-16,OKUT-01,12a",
            'Baris 3, kolom count: "12a" bukan bilangan bulat (contoh: 120 atau 1.234).',
        ),
        (
            "2012-04-16,OKUT-01,1.234.567",
            "Baris 3, kolom count: 1.234.567 untuk alat OKUT-01 melebihi batas 300",
        ),
        (
            "2012-04-16,OKUT-99,10",
            'Baris 3, kolom device: alat dengan nomor seri "OKUT-99" tidak dikenal.',
        ),
        ("2012-04-16,,10", "Baris 3, kolom device: wajib diisi (nomor seri alat)."),
        ("16 Apr 2012,OKUT-01,10", 'Baris 3, kolom date: "16 Apr 2012" bukan tanggal;'),
    ],
    ids=[
        "impossible-date",
        "negative",
        "not-a-number",
        "over-limit",
        "unknown-serial",
        "no-serial",
        "date-format",
    ],
)
def test_bad_value_refuses_the_file_naming_line_and_column(timur, line, expected):
    errors = _errors(f"date,device,count\n2012-04-15,OKUT-01,10\n{line}\n")

    assert len(errors) == 1
    assert errors[0].startswith(expected)
    assert not DailyCount.objects.exists()


def test_duplicate_line_names_both_lines(timur):
    errors = _errors(
        "date,device,count\n2012-04-15,OKUT-01,10\n2012-04-16,OKUT-01,12\n16/04/2012,OKUT-01,13\n"
    )

    assert len(errors) == 1
    assert errors[0].startswith("Baris 4, kolom device: alat OKUT-01 tanggal 16 Apr 2012")
    assert "baris 3" in errors[0]
    assert not DailyCount.objects.exists()


def test_every_error_of_a_file_is_reported_in_line_order(timur):
    errors = _errors(
        "date,device,count\n"
        "2012-04-15,OKUT-01,10\n"
        "2012-13-01,NOPE,x\n"
        "2012-04-16,OKUT-01,10,tambahan\n"
    )

    assert errors == [
        'Baris 3, kolom date: "2012-13-01" bukan tanggal yang ada di kalender.',
        'Baris 3, kolom device: alat dengan nomor seri "NOPE" tidak dikenal.',
        'Baris 3, kolom count: "x" bukan bilangan bulat (contoh: 120 atau 1.234).',
        "Baris 4: berisi 4 nilai, padahal judul hanya 3 kolom.",
    ]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "a.csv", "Berkas kosong: baris pertama harus judul kolom date,device,count."),
        (b"\xef\xbb\xbf\n\n", "a.csv", "Berkas kosong: baris pertama harus judul kolom"),
        (b"date,device,count\n", "a.csv", "Tidak ada data untuk diimpor"),
        (
            b"tanggal;alat;jumlah\n2012-04-16;OKUT-01;5\n",
            "a.csv",
            "Baris 1: kolom wajib tidak ada: date, device, count "
            "(kolom yang ada: tanggal, alat, jumlah).",
        ),
        (b"date,device,Date,count\n", "a.csv", "Baris 1: kolom date muncul lebih dari sekali."),
        (
            "date,device,count,note\n2012-04-16,OKUT-01,5,Sékretariat\n".encode("latin-1"),
            "a.csv",
            "Baris 2: berkas bukan teks UTF-8; simpan ulang sebagai CSV UTF-8.",
        ),
        (b"PK\x03\x04rusak", "a.xlsx", "Berkas XLSX tidak dapat dibaca"),
        (xlsx_of([["date", "device", "count"], [None, None, None]]), "a.xlsx", "Tidak ada data"),
        (b"date,device,count\n", "a.txt", "Jenis berkas .txt tidak dikenal"),
        (b"\xd0\xcf\x11\xe0", "a.xls", "Berkas Excel lama (.xls) tidak didukung"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "wrong-columns",
        "duplicate-column",
        "not-utf8",
        "broken-xlsx",
        "empty-xlsx",
        "unknown-type",
        "old-xls",
    ],
)
def test_unreadable_file_is_refused_with_a_clear_message(timur, content, name, expected):
    errors = _errors(content, name=name)

    assert len(errors) == 1
    assert errors[0].startswith(expected)


def test_device_outside_the_uploaders_area_is_an_error(timur, selatan, operator_oku_timur):
    errors = _errors(
        "date,device,count\n2012-04-16,OKUT-01,10\n2012-04-16,OKUS-01,10\n",
        user=operator_oku_timur,
    )

    assert errors == [
        "Baris 3, kolom device: alat OKUS-01 berada di luar wilayah Anda; jumlahnya hanya boleh "
        "diisi petugas wilayahnya."
    ]
    assert not DailyCount.objects.exists()
    assert not CountImport.objects.exists()


# --- Strict CSV and control characters -----------------------------------------------------------
# Before: `1,234` saved count 1 with note "234"; an unclosed quote swallowed the next line; a NUL
# in a note passed the preview and failed the save on PostgreSQL, one in a serial gave a 500.


def test_count_split_at_its_thousands_comma_refuses_the_file(timur):
    errors = _errors("date,device,count,note\n2012-04-18,OKUT-01,1,234,\n")

    assert errors == [
        "Baris 2: berisi 5 nilai, padahal judul hanya 4 kolom. Angka tidak boleh memakai koma: "
        "tulis 1234 atau 1.234."
    ]
    assert not DailyCount.objects.exists()


def test_unclosed_quote_in_a_note_is_named_and_the_next_line_is_still_checked(timur):
    errors = _errors(
        'date,device,count,note\n2012-04-15,OKUT-01,5,"listrik padam\n2012-04-16,OKUT-01,x,\n'
        "2012-04-17,OKUT-01,7,\n"
    )

    assert errors == [
        'Baris 2: tanda kutip (") dibuka tetapi tidak ditutup di baris ini; satu nilai tidak '
        "boleh melewati akhir baris.",
        'Baris 3, kolom count: "x" bukan bilangan bulat (contoh: 120 atau 1.234).',
    ]
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize(
    ("column", "character", "expected"),
    [
        ("note", "\x00", "kolom note: berisi karakter kontrol U+0000 (NUL) pada karakter ke-3;"),
        (
            "device",
            "\x00",
            "kolom device: berisi karakter kontrol U+0000 (NUL) pada karakter ke-3;",
        ),
        ("date", "\x7f", "kolom date: berisi karakter kontrol U+007F (DEL) pada karakter ke-3;"),
        ("count", "\x1b", "kolom count: berisi karakter kontrol U+001B pada karakter ke-3;"),
        ("note", "\x85", "kolom note: berisi karakter kontrol U+0085 pada karakter ke-3;"),
    ],
)
def test_control_character_in_any_value_is_an_error_naming_line_and_column(
    timur, column, character, expected
):
    values = {"date": "2012-04-16", "device": "OKUT-01", "count": "12", "note": "pagi"}
    values[column] = f"{values[column][:2]}{character}{values[column][2:]}"
    line = ",".join(values[name] for name in ("date", "device", "count", "note"))

    errors = _errors(f"date,device,count,note\n2012-04-15,OKUT-01,5,\n{line}\n")

    assert errors == [f"Baris 3, {expected} hapus karakter itu."]
    assert not DailyCount.objects.exists()


def test_xlsx_values_with_control_characters_are_errors(timur):
    content = xlsx_of(
        [
            ["date", "device", "count", "note"],
            [dt.datetime(2012, 4, 16), "OKUT-01", 5, "dua\nbaris"],
            [dt.datetime(2012, 4, 17), "OKUT\x7f01", 5, None],
        ]
    )

    assert _errors(content, name="april.xlsx") == [
        "Baris 2, kolom note: berisi karakter kontrol U+000A (pindah baris) pada karakter ke-4; "
        "hapus karakter itu.",
        "Baris 3, kolom device: berisi karakter kontrol U+007F (DEL) pada karakter ke-5; hapus "
        "karakter itu.",
    ]


def test_serial_longer_than_any_serial_is_an_error_without_repeating_it(timur):
    errors = _errors(f"date,device,count\n2012-04-16,{'X' * 5000},5\n")

    assert errors == [
        "Baris 2, kolom device: terlalu panjang (5.000 karakter); nomor seri paling banyak 50 "
        "karakter."
    ]


# --- The command ----------------------------------------------------------------------------------


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "jumlah.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_command_imports_and_prints_the_summary(csv_file, timur, operator_oku_timur):
    out = StringIO()

    call_command(
        "import_counts",
        csv_file("date,device,count\n2012-04-15,OKUT-01,10\n2012-04-16,OKUT-01,12\n"),
        "--user",
        "op_okutimur",
        stdout=out,
    )

    assert "Jumlah harian dimuat: 2 baru, 0 diperbarui, 0 tetap." in out.getvalue()
    assert DailyCount.objects.filter(entered_by=operator_oku_timur).count() == 2


def test_command_prints_every_error_and_fails(csv_file, timur):
    path = csv_file(
        "date,device,count\n2012-04-15,OKUT-01,10\n2012-04-31,OKUT-01,5\n2012-04-17,X-9,-5\n"
    )
    err = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_counts", path, stderr=err, stdout=StringIO())

    assert failed.value.returncode == 1
    assert "3 kesalahan" in str(failed.value)
    assert err.getvalue().splitlines() == [
        'Baris 3, kolom date: "2012-04-31" bukan tanggal yang ada di kalender.',
        'Baris 4, kolom device: alat dengan nomor seri "X-9" tidak dikenal.',
        'Baris 4, kolom count: "-5" negatif; jumlah tidak boleh kurang dari 0.',
    ]
    assert not DailyCount.objects.exists()


def test_command_refuses_a_device_outside_the_users_area(csv_file, selatan, operator_oku_timur):
    err = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_counts",
            csv_file("date,device,count\n2012-04-16,OKUS-01,10\n"),
            "--user",
            "op_okutimur",
            stderr=err,
        )

    assert "OKUS-01 berada di luar wilayah Anda" in err.getvalue()
    assert not DailyCount.objects.exists()


def test_command_needs_confirm_for_warnings(csv_file, timur):
    path = csv_file("date,device,count\n2012-04-15,OKUT-01,10\n2012-04-16,OKUT-01,150\n")
    err = StringIO()

    with pytest.raises(CommandError, match="--confirm"):
        call_command("import_counts", path, stderr=err, stdout=StringIO())

    assert err.getvalue().splitlines() == [
        "Peringatan: Baris 3, kolom count: 150 di atas kapasitas harian alat OKUT-01 (100)."
    ]
    assert not DailyCount.objects.exists()

    call_command("import_counts", path, "--confirm", stdout=StringIO())

    assert _counts() == {("OKUT-01", "2012-04-15"): 10, ("OKUT-01", "2012-04-16"): 150}


def test_command_dry_run_writes_nothing(csv_file, timur):
    _import("date,device,count\n2012-04-15,OKUT-01,10\n")
    out = StringIO()

    call_command(
        "import_counts",
        csv_file("date,device,count\n2012-04-15,OKUT-01,11\n2012-04-16,OKUT-01,12\n"),
        "--dry-run",
        stdout=out,
    )

    assert "Uji coba, tidak ada yang disimpan. Akan: 1 baru, 1 diperbarui, 0 tetap." in (
        out.getvalue()
    )
    assert _counts() == {("OKUT-01", "2012-04-15"): 10}
    assert not DailyCountRevision.objects.exists()


def test_command_refuses_unknown_user_and_missing_file(csv_file, tmp_path):
    with pytest.raises(CommandError, match="Pengguna siapa tidak ada"):
        call_command("import_counts", csv_file("date,device,count\n"), "--user", "siapa")
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        call_command("import_counts", str(tmp_path / "tidak_ada.csv"))


def test_command_refuses_a_user_who_may_not_enter_counts(csv_file, viewer_sumsel):
    with pytest.raises(CommandError, match="tidak berhak"):
        call_command("import_counts", csv_file("date,device,count\n"), "--user", "viewer_sumsel")


def test_command_reads_xlsx_within_the_time_limit(tmp_path, timur, settings):
    settings.UPLOAD_PARSE_SECONDS = 0.01
    path = tmp_path / "april.xlsx"
    path.write_bytes(
        xlsx_of([["date", "device", "count"], [dt.datetime(2012, 4, 16), "OKUT-01", 5]])
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_counts", str(path), stderr=err, stdout=StringIO())

    assert "Pembacaan berkas melewati batas waktu 0,01 detik" in err.getvalue()
    assert not DailyCount.objects.exists()


def test_command_refuses_a_file_name_with_a_control_character(tmp_path, timur, operator_oku_timur):
    path = tmp_path / "jum\x01lah.csv"
    path.write_text("date,device,count\n2012-04-15,OKUT-01,10\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_counts", str(path), "--user", "op_okutimur", stderr=err)

    assert err.getvalue().splitlines() == [
        "Nama berkas berisi karakter kontrol U+0001 pada karakter ke-4; hapus karakter itu. "
        "Ganti nama berkasnya, lalu unggah lagi."
    ]
    assert not CountImport.objects.exists()


def test_command_keeps_the_users_file_with_its_sha256(csv_file, timur, operator_oku_timur):
    text = "date,device,count\n2012-04-15,OKUT-01,10\n"

    call_command("import_counts", csv_file(text), "--user", "op_okutimur", stdout=StringIO())

    kept = CountImport.objects.get()
    assert (kept.status, kept.sha256) == ("committed", hashlib.sha256(text.encode()).hexdigest())


# --- The upload pages -----------------------------------------------------------------------------

GOOD = "date,device,count\n2012-04-14,OKUT-01,80\n2012-04-15,OKUT-01,95\n2012-04-16,OKUT-01,70\n"
GOOD_COUNTS = {
    ("OKUT-01", "2012-04-14"): 80,
    ("OKUT-01", "2012-04-15"): 95,
    ("OKUT-01", "2012-04-16"): 70,
}


def _upload(client, text: str | bytes, name: str = "jumlah.csv"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(reverse("count_import_upload"), {"file": SimpleUploadedFile(name, content)})


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _stat(response, label: str) -> str:
    match = re.search(
        rf'<span class="label">{label}</span><span class="value">([^<]*)</span>', _page(response)
    )
    assert match, f"no figure {label!r} on the page"
    return match.group(1)


def test_anonymous_visitor_is_sent_to_login(client):
    for url in (reverse("count_import_upload"), "/impor/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_viewer_may_not_upload(client, viewer_sumsel, timur):
    client.force_login(viewer_sumsel)

    assert client.get(reverse("count_import_upload")).status_code == 403
    assert _upload(client, GOOD).status_code == 403
    assert not CountImport.objects.exists()


def test_upload_page_explains_the_columns(client, operator_oku_timur):
    client.force_login(operator_oku_timur)

    page = _page(client.get(reverse("count_import_upload")))

    for column in ("date", "device", "count", "note"):
        assert f"<code>{column}</code>" in page
    assert 'accept=".csv,.xlsx"' in page


def test_upload_shows_a_preview_and_saving_writes_the_counts(client, operator_oku_timur, timur):
    DailyCount.objects.create(device=timur, date=D(2012, 4, 14), count=80)
    DailyCount.objects.create(device=timur, date=D(2012, 4, 15), count=90)
    client.force_login(operator_oku_timur)

    response = _upload(client, GOOD)
    count_import = CountImport.objects.get()
    assert response["Location"] == f"/impor/{count_import.pk}/"
    assert bytes(count_import.content) == GOOD.encode()
    assert count_import.uploaded_by == operator_oku_timur

    preview = client.get(response["Location"])
    assert (_stat(preview, "Akan dibuat"), _stat(preview, "Akan diperbarui")) == ("1", "1")
    assert _stat(preview, "Tetap") == "1"
    assert "Simpan" in _page(preview)
    assert _counts()[("OKUT-01", "2012-04-15")] == 90  # a preview writes nothing

    saved = client.post(response["Location"], follow=True)

    assert "jumlah.csv disimpan: 1 baru, 1 diperbarui, 1 tetap." in _page(saved)
    assert _counts() == GOOD_COUNTS
    count_import.refresh_from_db()
    assert (count_import.status, count_import.created, count_import.updated) == (
        "committed",
        1,
        1,
    )
    assert count_import.committed_at is not None
    assert DailyCountRevision.objects.get().count_import == count_import


def test_preview_lists_every_error_with_line_and_column(client, operator_oku_timur, timur, selatan):
    client.force_login(operator_oku_timur)
    response = _upload(
        client,
        "date,device,count\n2012-04-15,OKUT-01,10\n2012-04-16,OKUT-01,12a\n2012-04-16,OKUS-01,5\n",
    )

    preview = client.get(response["Location"])
    page = _page(preview)

    assert 'Baris 3, kolom count: "12a" bukan bilangan bulat' in page
    assert "Baris 4, kolom device: alat OKUS-01 berada di luar wilayah Anda" in page
    assert _stat(preview, "Kesalahan") == "2"
    assert "Simpan</button>" not in page
    # Posting anyway writes nothing.
    client.post(response["Location"])
    assert not DailyCount.objects.exists()
    assert CountImport.objects.get().status == "previewed"


def test_preview_shows_at_most_500_errors_and_their_total(client, operator_oku_timur, timur):
    client.force_login(operator_oku_timur)
    lines = "".join(f"2012-04-16,OKUT-01,x{n}\n" for n in range(600))
    response = _upload(client, "date,device,count\n" + lines)

    page = _page(client.get(response["Location"]))

    assert "Ditampilkan 500 kesalahan pertama dari 600." in page
    assert "Baris 501, kolom count" in page
    assert "Baris 502, kolom count" not in page


def test_upload_of_an_unreadable_file_stays_on_the_upload_page(client, operator_oku_timur):
    client.force_login(operator_oku_timur)

    response = _upload(client, "tanggal,alat,jumlah\n2012-04-16,OKUT-01,5\n")

    assert response.status_code == 400
    assert "Baris 1: kolom wajib tidak ada: date, device, count" in _page(response)
    assert not CountImport.objects.exists()


def test_upload_of_an_unknown_file_type_is_refused(client, operator_oku_timur):
    client.force_login(operator_oku_timur)

    response = _upload(client, GOOD, name="jumlah.pdf")

    assert response.status_code == 400
    assert "Jenis berkas .pdf tidak dikenal" in _page(response)


def test_upload_of_a_file_too_large_is_refused(client, operator_oku_timur, monkeypatch):
    monkeypatch.setattr("recording.services.imports.MAX_FILE_BYTES", 20)
    client.force_login(operator_oku_timur)

    response = _upload(client, GOOD)

    assert response.status_code == 400
    assert "Berkas terlalu besar" in _page(response)
    assert not CountImport.objects.exists()


def test_upload_with_more_lines_than_allowed_is_refused_before_it_is_read(
    client, operator_oku_timur, timur, monkeypatch
):
    monkeypatch.setattr("recording.services.imports.MAX_UPLOAD_LINES", 2)

    def not_read(**kwargs):
        raise AssertionError("the file was read")

    client.force_login(operator_oku_timur)
    with monkeypatch.context() as patched:
        patched.setattr("recording.services.imports.count_lines_read", not_read)
        csv_refused = _upload(client, GOOD)
    limit = (
        "Berkas berisi lebih dari 2 baris data; paling banyak 2 baris per unggahan. Bagi "
        "menjadi beberapa berkas."
    )
    assert csv_refused.status_code == 400
    assert limit in _page(csv_refused)
    assert not CountImport.objects.exists()
    # A worksheet's lines are only known once it is read, in the background: its page says so.
    xlsx_refused = _upload(
        client, xlsx_of([line.split(",") for line in GOOD.splitlines()]), name="a.xlsx"
    )
    page = _page(client.get(xlsx_refused["Location"]))
    assert "Berkas tidak dapat dibaca" in page
    assert limit in page
    assert "Simpan</button>" not in page
    # At the limit it is read: the header and two lines.
    at_limit = _upload(client, "\n".join(GOOD.splitlines()[:3]))
    assert _stat(client.get(at_limit["Location"]), "Akan dibuat") == "2"


def test_upload_of_an_xlsx_file_previews(client, operator_oku_timur, timur):
    client.force_login(operator_oku_timur)
    content = xlsx_of([["date", "device", "count"], [dt.datetime(2012, 4, 16), "OKUT-01", 40]])

    response = _upload(client, content, name="april.xlsx")

    assert _stat(client.get(response["Location"]), "Akan dibuat") == "1"


def test_warnings_need_the_confirmation_box(client, operator_oku_timur, timur):
    client.force_login(operator_oku_timur)
    response = _upload(client, "date,device,count\n2012-04-16,OKUT-01,150\n")
    preview = client.get(response["Location"])
    assert "150 di atas kapasitas harian alat OKUT-01 (100)." in _page(preview)
    assert 'name="confirm"' in _page(preview)

    refused = client.post(response["Location"])

    assert refused.status_code == 400
    assert "Centang konfirmasi" in _page(refused)
    assert not DailyCount.objects.exists()

    client.post(response["Location"], {"confirm": "on"})

    assert DailyCount.objects.get().needs_follow_up


def test_someone_elses_upload_is_not_found(
    client, operator_oku_timur, operator_oku_selatan, admin_user, timur
):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]

    client.force_login(operator_oku_selatan)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not DailyCount.objects.exists()

    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_counts_changed_since_the_preview_are_not_overwritten(
    client, operator_oku_timur, admin_user, timur
):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]
    client.get(url)  # the operator looks at the preview: three new counts
    daily_counts_save(
        rows=[CountRow(line=1, device=timur, date=D(2012, 4, 15), count=60)], user=admin_user
    )

    response = client.post(url, follow=True)

    assert "Data berubah sejak pratinjau" in _page(response)
    assert _counts() == {("OKUT-01", "2012-04-15"): 60}
    assert CountImport.objects.get().status == "previewed"
    # The page shows the fresh preview; saving it now overwrites with the file's value.
    assert _stat(response, "Akan diperbarui") == "1"
    client.post(url)
    assert _counts()[("OKUT-01", "2012-04-15")] == 95
    assert CountImport.objects.get().status == "committed"


def test_saving_without_a_preview_in_this_session_shows_the_preview_first(
    client, operator_oku_timur, timur
):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]

    response = client.post(url)

    assert response.status_code == 409
    assert "Tidak ada yang disimpan: periksa pratinjau di bawah dulu" in _page(response)
    assert not DailyCount.objects.exists()
    client.post(url)  # now the preview has been shown
    assert DailyCount.objects.count() == 3


def test_nul_in_a_note_or_serial_is_an_error_on_the_preview_and_nothing_is_saved(
    client, operator_oku_timur, timur
):
    client.force_login(operator_oku_timur)
    url = _upload(
        client,
        "date,device,count,note\n2012-04-15,OKUT-01,10,ok\x00\n2012-04-16,OKUT\x0001,12,\n",
    )["Location"]

    preview = client.get(url)

    assert preview.status_code == 200
    page = _page(preview)
    assert (
        "Baris 2, kolom note: berisi karakter kontrol U+0000 (NUL) pada karakter ke-3; hapus "
        "karakter itu." in page
    )
    assert "Baris 3, kolom device: berisi karakter kontrol U+0000 (NUL) pada karakter ke-5" in page
    assert "Simpan</button>" not in page
    assert client.post(url).status_code == 409
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize("name", ["jumlah.csv", "jumlah.xlsx"])
def test_preview_and_save_work_from_the_lines_read_at_upload(
    client, operator_oku_timur, timur, name
):
    content = GOOD.encode()
    if name.endswith(".xlsx"):
        content = xlsx_of([line.split(",") for line in GOOD.splitlines()])
    client.force_login(operator_oku_timur)
    url = _upload(client, content, name=name)["Location"]
    kept = CountImport.objects.get()
    assert kept.sha256 == hashlib.sha256(content).hexdigest()
    # Were the file read again, it would now be refused.
    CountImport.objects.update(content=b"PK\x03\x04rusak")

    preview = client.get(url)
    client.post(url)

    assert _stat(preview, "Akan dibuat") == "3"
    assert _counts() == GOOD_COUNTS
    kept.refresh_from_db()
    assert (kept.status, kept.parsed, kept.sha256) == (
        "committed",
        None,
        hashlib.sha256(content).hexdigest(),
    )


def test_upload_kept_before_lines_were_stored_is_read_on_its_first_preview_only(
    client, operator_oku_timur, timur
):
    # As uploads were kept before: the file only, previewed on every visit.
    count_import = count_import_create(
        file_name="lama.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )
    CountImport.objects.update(status="previewed")
    client.force_login(operator_oku_timur)
    url = reverse("count_import", args=[count_import.pk])

    first = client.get(url)
    CountImport.objects.update(content=b"date,device,count\n")
    second = client.get(url)

    assert _stat(first, "Akan dibuat") == _stat(second, "Akan dibuat") == "3"
    assert CountImport.objects.get().parsed["lines"] == 3
    client.post(url)
    assert DailyCount.objects.count() == 3


def test_upload_kept_before_that_strict_reading_refuses_says_why(client, operator_oku_timur):
    count_import = count_import_create(
        file_name="lama.csv",
        content=b'"date,device,count\n2012-04-16,OKUT-01,5\n',
        lines=1,
        user=operator_oku_timur,
    )
    CountImport.objects.update(status="previewed")
    client.force_login(operator_oku_timur)

    page = _page(client.get(reverse("count_import", args=[count_import.pk])))

    assert "Berkas tidak dapat dibaca" in page
    assert 'Baris 1: tanda kutip (") dibuka tetapi tidak ditutup di baris ini' in page
    assert CountImport.objects.get().parsed == {
        "refused": [
            'Baris 1: tanda kutip (") dibuka tetapi tidak ditutup di baris ini; satu nilai '
            "tidak boleh melewati akhir baris."
        ]
    }


def test_a_saved_upload_cannot_be_saved_twice(client, operator_oku_timur, timur):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]
    client.get(url)
    client.post(url)
    DailyCount.objects.filter(date=D(2012, 4, 15)).update(count=1)

    again = client.post(url, follow=True)

    assert "sudah disimpan sebelumnya" in _page(again)
    assert _counts()[("OKUT-01", "2012-04-15")] == 1
    assert "Simpan</button>" not in _page(again)
    with pytest.raises(ImportAlreadyCommitted):
        count_import_commit(
            count_import=CountImport.objects.get(),
            user=operator_oku_timur,
            confirm=False,
            expected_digest="x",
        )


def test_command_shows_progress_on_stderr_and_prints_the_same_summary(csv_file, timur, terminal):
    out = StringIO()

    call_command(
        "import_counts",
        csv_file("date,device,count\n2012-04-15,OKUT-01,10\n2012-04-16,OKUT-01,12\n"),
        stdout=out,
        stderr=terminal,
    )

    assert out.getvalue() == "Jumlah harian dimuat: 2 baru, 0 diperbarui, 0 tetap.\n"
    assert terminal.getvalue() == (
        "\rMembaca berkas…\rMembaca berkas: selesai dalam 0:00\n"
        "\rMemeriksa isi baris: 0/2 (0%), 0:00"
        "\rMemeriksa isi baris: 2/2 (100%), selesai dalam 0:00\n"
        "\rMencocokkan nomor seri alat: 0/2 (0%), 0:00"
        "\rMencocokkan nomor seri alat: 2/2 (100%), selesai dalam 0:00\n"
        "\rMemeriksa aturan: 0/2 (0%), 0:00\rMemeriksa aturan: 2/2 (100%), selesai dalam 0:00\n"
        "\rMenyimpan: 0/2 (0%), 0:00\rMenyimpan: 2/2 (100%), selesai dalam 0:00\n"
    )


def test_command_progress_ends_its_line_before_the_errors(csv_file, timur, terminal):
    with pytest.raises(CommandError):
        call_command(
            "import_counts",
            csv_file("date,device,count\n2012-04-16,OKUT-01,-5\n"),
            "--dry-run",
            stdout=StringIO(),
            stderr=terminal,
        )

    assert terminal.getvalue().split("\n")[-3:] == [
        # The file was refused: its last step says the import stopped there.
        "\rMemeriksa aturan…\rMemeriksa aturan: berhenti setelah 0:00",
        'Baris 2, kolom count: "-5" negatif; jumlah tidak boleh kurang dari 0.',
        "",
    ]


def test_command_with_verbosity_0_shows_no_progress(csv_file, timur, terminal):
    out = StringIO()

    call_command(
        "import_counts",
        csv_file("date,device,count\n2012-04-15,OKUT-01,10\n"),
        verbosity=0,
        stdout=out,
        stderr=terminal,
    )

    assert out.getvalue() == "Jumlah harian dimuat: 1 baru, 0 diperbarui, 0 tetap.\n"
    assert terminal.getvalue() == ""


def test_bench_creates_then_updates_every_row_and_cleans_up(terminal):
    out = StringIO()

    call_command("bench_import", "--rows", "30", "--devices", "4", stdout=out, stderr=terminal)

    assert "buat: 30 baru, 0 diperbarui" in out.getvalue()
    assert "perbarui: 0 baru, 30 diperbarui" in out.getvalue()
    # The progress is on stderr, each import's save ending its line before the timings.
    assert "\r" not in out.getvalue()
    assert "Menyimpan" not in out.getvalue()
    assert terminal.getvalue().count("\rMenyimpan: 30/30 (100%), selesai dalam 0:00\n") == 2
    assert not DailyCount.objects.exists()
    assert not RecordingDevice.objects.filter(serial__startswith="BENCH-").exists()


def test_preview_and_save_queries_do_not_grow_with_the_file(
    client, operator_oku_timur, make_device, django_assert_max_num_queries
):
    devices = [make_device(f"16.08.{n % 20 + 1:02d}", serial=f"OKUT-{n:03d}") for n in range(40)]
    days = [D(2012, 4, 1) + dt.timedelta(days=n) for n in range(10)]
    lines = "".join(f"{day:%Y-%m-%d},{d.serial},20\n" for d in devices for day in days)
    client.force_login(operator_oku_timur)
    url = _upload(client, "date,device,count\n" + lines)["Location"]

    # The stored preview: the rows are neither read nor checked again.
    with django_assert_max_num_queries(8):
        preview = client.get(url)
    # The save, its task run in the request (immediate mode). SQLite takes at most 999
    # parameters a statement: its inserts come in batches of 90 rows. One query asks which
    # of the months are approved (locked).
    with django_assert_max_num_queries(31 if connection.vendor == "postgresql" else 36):
        client.post(url)

    assert _stat(preview, "Akan dibuat") == "400"
    assert DailyCount.objects.count() == 400
