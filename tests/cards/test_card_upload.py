"""The browser upload of card reports: stored, read and checked in the background, previewed
with every problem by line and column, saved all rows or none."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cards.models import BlankoStock, CardReport, CardReportRevision, CardReportUpload
from tests.cards.conftest import row
from tests.conftest import OKU_SELATAN

pytestmark = pytest.mark.django_db

HEADER = "date,area,print_ready,duplicates,failed,printed,spoiled,suket_issued,received,handed_out"
GOOD = f"""{HEADER}
2012-04-16,16.09,2.500,12,3,2.000,15,40,,
16/04/2012,16.09.01,,,,,,,800,
"""


def _upload(client, text: str, name: str = "kartu.csv"):
    return client.post(
        reverse("card_report_upload_form"), {"file": SimpleUploadedFile(name, text.encode())}
    )


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _stat(response, label: str) -> str:
    match = re.search(
        rf'<span class="label">{label}</span><span class="value"[^>]*>([^<]*)</span>',
        _page(response),
    )
    assert match, f"no figure {label!r} on the page"
    return match.group(1)


def _uploaded(client, text: str):
    response = _upload(client, text)
    assert response.status_code == 302, _page(response)
    return CardReportUpload.objects.get(), client.get(response.url)


@pytest.fixture
def selatan(client, operator_oku_selatan, receive):
    receive(code=OKU_SELATAN, quantity=3_000)
    client.force_login(operator_oku_selatan)
    return client


def test_the_entry_page_links_to_the_upload(selatan):
    page = _page(selatan.get(reverse("card_entry") + "?area=16.09&date=2012-04-16"))

    assert f'href="{reverse("card_report_upload_form")}"' in page


def test_a_refused_line_is_named_by_line_and_column_and_nothing_is_written(selatan):
    text = f"{HEADER}\n2012-04-16,16.09,2.500,,,dua ribu,,,,\n2012-04-16,16.09.01,,,,,,,-5,\n"

    upload, preview = _uploaded(selatan, text)

    page = _page(preview)
    assert "Baris 2, kolom printed:" in page
    assert "Baris 3, kolom received:" in page
    assert _stat(preview, "Kesalahan") == "2"
    assert "Simpan</button>" not in page
    assert upload.status == "previewed"
    assert not CardReport.objects.exists()
    assert not CardReportRevision.objects.exists()
    # And a save asked for anyway writes nothing.
    assert selatan.post(upload.get_absolute_url()).status_code == 409
    assert not CardReport.objects.exists()


def test_a_good_file_is_previewed_then_saved_with_its_revisions_linked_to_the_upload(selatan):
    upload, preview = _uploaded(selatan, GOOD)

    assert (_stat(preview, "Akan dibuat"), _stat(preview, "Kesalahan")) == ("2", "0")
    assert not CardReport.objects.exists()

    response = selatan.post(upload.get_absolute_url())

    assert response.status_code == 302
    upload.refresh_from_db()
    assert (upload.status, upload.created, upload.updated, upload.rows) == ("committed", 2, 0, 2)
    regency = CardReport.objects.get(regency=OKU_SELATAN)
    assert (regency.print_ready, regency.printed, regency.spoiled) == (2_500, 2_000, 15)
    assert CardReport.objects.get(sub_district="16.09.01").received == 800
    assert BlankoStock.objects.get(regency=OKU_SELATAN).stock == 3_000 - 2_015
    revisions = CardReportRevision.objects.all()
    assert {r.source for r in revisions} == {"import"}
    assert set(upload.revisions.all()) == set(revisions)
    assert len(revisions) == 2
    assert "kartu.csv disimpan: 2 baru, 0 diperbarui, 0 tetap." in _page(selatan.get(response.url))


def test_changing_a_stored_report_is_a_warning_to_confirm(selatan, save, operator_oku_selatan):
    save(row(OKU_SELATAN, print_ready=2_000, printed=1_500), user=operator_oku_selatan)
    upload, preview = _uploaded(selatan, GOOD)

    page = _page(preview)
    assert _stat(preview, "Peringatan") == "1"
    assert "Baris 2, kolom area: laporan 16.09" in page
    assert "print_ready 2.000 → 2.500" in page
    assert "spoiled kosong → 15" in page

    refused = selatan.post(upload.get_absolute_url())

    assert refused.status_code == 400
    assert CardReport.objects.get(regency=OKU_SELATAN).printed == 1_500

    selatan.post(upload.get_absolute_url(), {"confirm": "on"})

    assert CardReport.objects.get(regency=OKU_SELATAN).printed == 2_000
    assert CardReportUpload.objects.get().updated == 1


def test_a_report_changed_after_the_preview_refuses_the_save(selatan, save, admin_user):
    upload, _preview = _uploaded(selatan, GOOD)
    # Someone fills in the kecamatan's report while the operator looks at the preview.
    save(row("16.09.01", received=700), user=admin_user)

    selatan.post(upload.get_absolute_url())

    upload.refresh_from_db()
    assert upload.status == "previewed"
    assert upload.notice == "changed"
    assert CardReport.objects.get(sub_district="16.09.01").received == 700
    assert not CardReport.objects.filter(regency=OKU_SELATAN).exists()
    page = _page(selatan.get(upload.get_absolute_url()))
    assert "Data berubah sejak pratinjau" in page
    assert _stat(selatan.get(upload.get_absolute_url()), "Akan diperbarui") == "1"


def test_an_area_outside_the_operators_is_refused_with_its_line(selatan):
    text = f"{HEADER}\n2012-04-16,16.09,10,,,,,,,\n2012-04-16,16.08,10,,,,,,,\n"

    upload, preview = _uploaded(selatan, text)

    assert "Baris 3, kolom area: 16.08 " in _page(preview)
    assert "di luar wilayah kerja Anda" in _page(preview)
    assert _stat(preview, "Kesalahan") == "1"
    assert not CardReport.objects.exists()


def test_another_users_upload_is_not_found(selatan, client, operator_oku_timur):
    upload, _preview = _uploaded(selatan, GOOD)
    client.force_login(operator_oku_timur)

    assert client.get(upload.get_absolute_url()).status_code == 404
    assert client.post(upload.get_absolute_url()).status_code == 404
    assert client.get(reverse("card_report_upload_status", args=[upload.pk])).status_code == 404
    assert not CardReport.objects.exists()


def test_a_viewer_may_not_upload(client, viewer_sumsel):
    client.force_login(viewer_sumsel)

    assert client.get(reverse("card_report_upload_form")).status_code == 403
    assert _upload(client, GOOD).status_code == 403
    assert not CardReportUpload.objects.exists()


def test_a_file_with_an_unknown_column_is_refused_at_the_upload(selatan):
    response = _upload(selatan, f"{HEADER},printd\n2012-04-16,16.09,,,,,,,,,5\n")

    assert response.status_code == 400
    assert "kolom tidak dikenal: printd" in _page(response)
    assert not CardReportUpload.objects.exists()


def test_preview_and_save_pages_keep_a_bounded_query_count(selatan, django_assert_max_num_queries):
    many = "".join(f"2012-04-16,16.09.{n:02d},,,,,,,5,\n" for n in range(1, 10))
    upload, _preview = _uploaded(selatan, f"{HEADER}\n{many}")
    assert CardReportUpload.objects.get().preview["created"] == 9

    with django_assert_max_num_queries(8):
        selatan.get(upload.get_absolute_url())
    with django_assert_max_num_queries(40):
        selatan.post(upload.get_absolute_url())

    assert CardReport.objects.count() == 9


def _template(client, area: str, fmt: str = "csv", day: str = "2012-04-16"):
    return client.get(reverse("card_report_template") + f"?area={area}&date={day}&format={fmt}")


def test_the_template_lists_the_grids_areas_with_the_uploads_header(selatan):
    response = _template(selatan, "16.09")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('laporan-kartu-16.09-2012-04-16.csv"')
    lines = response.content.decode().splitlines()
    assert lines[0] == HEADER
    # The print office's line first, then OKU Selatan's 19 kecamatan in code order.
    assert lines[1] == "2012-04-16,16.09,,,,,,,,"
    assert lines[2] == "2012-04-16,16.09.01,,,,,,,,"
    assert lines[-1] == "2012-04-16,16.09.19,,,,,,,,"
    assert len(lines) == 1 + 1 + 19


def test_a_filled_template_is_read_back_by_the_upload(selatan):
    lines = _template(selatan, "16.09").content.decode().splitlines()
    lines[1] = "2012-04-16,16.09,100,,,80,,,,"
    lines[2] = "2012-04-16,16.09.01,,,,,,,80,10"

    upload, preview = _uploaded(selatan, "\n".join(lines))

    assert _stat(preview, "Kesalahan") == "0"
    # The 18 lines left blank say "not reported", as no report does: nothing to write.
    assert (upload.preview["created"], upload.preview["unchanged"]) == (2, 18)
    assert selatan.post(upload.get_absolute_url()).status_code == 302
    saved = CardReport.objects.order_by("regency", "sub_district")
    assert {(r.area_code, r.printed, r.received) for r in saved} == {
        ("16.09", 80, None),
        ("16.09.01", None, 80),
    }


def test_the_template_as_xlsx_and_refusals(selatan, client, make_user):
    xlsx = _template(selatan, "16.09.01", fmt="xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert _template(selatan, "16.09", fmt="pdf").status_code == 400
    assert _template(selatan, "16").status_code == 404  # a province has no grid
    assert _template(selatan, "16.08").status_code == 404  # outside the operator's area
    client.force_login(make_user("pemantau", "viewer", "16"))
    assert _template(client, "16.09").status_code == 403
