import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from cards.models import BlankoStock, CardReport, CardReportRevision
from tests.conftest import OKU_SELATAN

pytestmark = pytest.mark.django_db

HEADER = "date,area,print_ready,duplicates,failed,printed,spoiled,suket_issued,received,handed_out"
GOOD = f"""{HEADER}
2012-04-16,16.09,2.500,12,3,2.000,15,40,,
16/04/2012,16.09.01,,,,,,,800,
"""


def _run(tmp_path, text: str, *args, name="kartu.csv", content: bytes | None = None):
    path = tmp_path / name
    path.write_bytes(content if content is not None else text.encode())
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_card_reports", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return None, err.getvalue().splitlines(), str(exc)
    return out.getvalue(), err.getvalue().splitlines(), None


def test_a_valid_file_is_loaded_with_its_blanko_use(tmp_path, receive):
    receive(code=OKU_SELATAN, quantity=3_000)

    out, _err, refused = _run(tmp_path, GOOD)

    assert refused is None
    assert "Laporan kartu dimuat: 2 baru, 0 diperbarui, 0 tetap." in out
    regency = CardReport.objects.get(regency=OKU_SELATAN)
    assert (regency.print_ready, regency.printed, regency.received) == (2_500, 2_000, None)
    assert CardReport.objects.get(sub_district="16.09.01").received == 800
    assert BlankoStock.objects.get(regency=OKU_SELATAN).stock == 3_000 - 2_015
    assert set(CardReportRevision.objects.values_list("source", flat=True)) == {"import"}


def test_an_xlsx_file_is_read_the_same_way(tmp_path, receive):
    receive(code=OKU_SELATAN, quantity=3_000)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["2012-04-16", "16.09", 2500, None, None, 2000, 15, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)

    out, _err, refused = _run(tmp_path, "", name="kartu.xlsx", content=buffer.getvalue())

    assert refused is None, _err
    assert CardReport.objects.get().printed == 2_000


def test_refusals_name_line_and_column_exit_non_zero_and_write_nothing(tmp_path, receive):
    receive(code=OKU_SELATAN, quantity=1_000)
    text = f"""{HEADER}
2012-04-16,16.09,,,,1.500,20,,,
2012-04-16,16.09.01,,,,5,,,10,
2012-04-31,16.09.02,,,,,,,-3,x
2012-04-16,99.99,,,,,,,1,
"""

    out, err, refused = _run(tmp_path, text)

    assert out is None
    assert refused == "Impor dibatalkan, tidak ada data yang disimpan: 6 kesalahan."
    assert err == [
        "Baris 2, kolom printed: Blanko tidak cukup: stok 1.000, dicetak 1.500 + rusak 20.",
        "Baris 3, kolom printed: 16.09.01 Muara Dua adalah kecamatan; kolom printed diisi "
        "kabupaten/kota (kantor percetakan Dukcapil).",
        'Baris 4, kolom date: "2012-04-31" bukan tanggal yang ada di kalender.',
        'Baris 4, kolom received: "-3" negatif; jumlah tidak boleh kurang dari 0.',
        'Baris 4, kolom handed_out: "x" bukan bilangan bulat (contoh: 120 atau 1.234).',
        'Baris 5, kolom area: wilayah "99.99" tidak dikenal; tulis kode kabupaten/kota (mis. '
        "16.09) atau kecamatan (mis. 16.09.01).",
    ]
    assert not CardReport.objects.exists()
    assert BlankoStock.objects.get(regency=OKU_SELATAN).stock == 1_000


def test_a_header_with_a_missing_or_unknown_column_is_refused(tmp_path):
    _out, missing, refused = _run(tmp_path, GOOD.replace(",handed_out", ""))
    _out, unknown, _ = _run(tmp_path, GOOD.replace("handed_out", "handed_out,dibagikan"))

    assert refused == "Impor dibatalkan, tidak ada data yang disimpan."
    assert missing[0].startswith("Baris 1: kolom wajib tidak ada: handed_out")
    assert unknown == [
        "Judul kolom: kolom tidak dikenal: dibagikan. Kolom yang boleh: date, area, print_ready, "
        "duplicates, failed, printed, spoiled, suket_issued, received, handed_out."
    ]
    assert not CardReport.objects.exists()


def test_a_dry_run_checks_and_counts_but_writes_nothing(tmp_path, receive):
    receive(code=OKU_SELATAN, quantity=3_000)

    out, _err, refused = _run(tmp_path, GOOD, "--dry-run")

    assert refused is None
    assert "Uji coba, tidak ada yang disimpan. Akan: 2 baru, 0 diperbarui, 0 tetap." in out
    assert not CardReport.objects.exists()
    assert BlankoStock.objects.get(regency=OKU_SELATAN).stock == 3_000


def test_a_dry_run_still_refuses_with_a_non_zero_exit(tmp_path):
    _out, err, refused = _run(tmp_path, GOOD, "--dry-run")

    assert refused is not None
    assert err[0].startswith("Baris 2, kolom printed: Blanko tidak cukup: stok 0")


def test_with_a_user_only_their_areas_are_accepted(tmp_path, receive, operator_oku_timur):
    receive(code=OKU_SELATAN, quantity=3_000)

    _out, err, refused = _run(tmp_path, GOOD, "--user", operator_oku_timur.username)

    assert refused is not None
    assert [line.split(":")[0] for line in err] == ["Baris 2, kolom area", "Baris 3, kolom area"]
    assert not CardReport.objects.exists()
