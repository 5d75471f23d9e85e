"""Downloads of a dashboard (`?_export=csv|xlsx`) on the demo data as of 16 Apr 2012."""

import csv
import dataclasses
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from cards.selectors import CardFigures
from recording.coverage import Coverage, Dashboard, DeviceCoverage
from recording.exports import card_values, xlsx_response

AS_OF = "as_of=2012-04-16"
KEYS = [
    "code",
    "name",
    "eligible",
    "recorded",
    "coverage_percent",
    "remaining",
    "recorded_last_7_days",
    "required_daily_rate",
    "projected_completion",
    "devices",
    "devices_down",
    "last_report",
    # The card journey's, appended after the recording keys.
    *["print_ready_backlog", "printed", "handed_out", "awaiting_handout"],
    *["card_coverage_percent", "suket_issued", "blanko_stock", "blanko_days_left"],
    *["suket_outstanding", "blanko_needed"],
    # Reports received ÷ owed over the last 7 days, appended after the cards'.
    "reporting_completeness_percent",
]
LABELS = [
    "Kode",
    "Nama",
    "Wajib KTP",
    "Terekam",
    "Cakupan",
    "Sisa",
    "Terekam 7 hari",
    "Laju dibutuhkan/hari",
    "Perkiraan selesai",
    "Alat",
    "Rusak/di vendor",
    "Laporan terakhir",
    "Siap cetak belum dicetak",
    "Dicetak",
    "Diserahkan",
    "Belum diserahkan",
    "Cakupan kartu diserahkan",
    "Suket diterbitkan",
    "Stok blanko",
    "Sisa hari blanko",
    "Suket beredar (perkiraan)",
    "Blanko dibutuhkan untuk tunggakan",
    "Lapor 7 hari",
]


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def _sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_csv_header_is_exactly_the_stable_keys(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    response = client.get(f"/wilayah/16.08/?{AS_OF}&_export=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="cakupan-16.08-2012-04-16.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == ",".join(KEYS)


def test_csv_values_are_plain_numbers_and_iso_dates(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    rows = _csv(client.get(f"/wilayah/16.08/?{AS_OF}&_export=csv"))
    assert len(rows) == 20  # the kecamatan of OKU Timur
    bmt = next(r for r in rows if r["code"] == "16.08.12")
    assert bmt["name"] == "Buay Madang Timur"
    # 20,879 of 42,577: no thousands separator, a point for decimals.
    assert (bmt["eligible"], bmt["recorded"], bmt["coverage_percent"]) == ("42577", "20879", "49.0")
    assert bmt["last_report"] == "2012-04-01"
    # Its only device is at the vendor: nothing recorded for a week, no completion date.
    assert (bmt["devices"], bmt["devices_down"], bmt["projected_completion"]) == ("1", "1", "")
    for row in rows:
        for key in ("eligible", "recorded", "remaining", "required_daily_rate", "devices"):
            assert row[key].isdigit(), (key, row[key])
        assert "," not in row["coverage_percent"]
        if row["projected_completion"]:
            assert dt.date.fromisoformat(row["projected_completion"]) > dt.date(2012, 4, 16)


def test_national_csv_is_named_for_indonesia(client, admin_user, loaded):
    client.force_login(admin_user)
    response = client.get(f"/wilayah/?{AS_OF}&_export=csv")
    assert 'filename="cakupan-indonesia-2012-04-16.csv"' in response["Content-Disposition"]
    sumsel = next(r for r in _csv(response) if r["code"] == "16")
    assert sumsel["name"] == "Sumatera Selatan" and sumsel["eligible"].isdigit()


def test_kecamatan_csv_lists_devices_under_the_same_keys(client, operator_oku_timur, loaded):
    client.force_login(operator_oku_timur)
    response = client.get(f"/wilayah/16.08.12/?{AS_OF}&_export=csv")
    assert response.content.decode().splitlines()[0] == ",".join(KEYS)
    (device,) = _csv(response)
    assert device["code"] == "SMS-1608-12-1"
    assert device["name"] == "Kec. Buay Madang Timur #1"
    assert (device["eligible"], device["coverage_percent"], device["remaining"]) == ("", "", "")
    assert (device["devices"], device["devices_down"]) == ("1", "1")
    assert device["recorded"] == "20879" and device["last_report"] == "2012-04-01"
    # At the vendor all week: it owed no report, so there is no completeness to give.
    assert device["reporting_completeness_percent"] == ""


def test_xlsx_speaks_indonesian_with_typed_cells_and_a_total_row(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    response = client.get(f"/wilayah/16.08/?{AS_OF}&_export=xlsx")
    assert response.status_code == 200
    assert 'filename="cakupan-16.08-2012-04-16.xlsx"' in response["Content-Disposition"]
    sheet = _sheet(response)
    title = sheet["A1"].value
    assert "Kabupaten Ogan Komering Ulu Timur (16.08)" in title and "16 Apr 2012" in title
    assert [c.value for c in sheet[2]] == LABELS
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 21  # 20 kecamatan and the total
    bmt = next(r for r in rows if r[0] == "16.08.12")
    assert bmt[2:4] == [42_577, 20_879] and isinstance(bmt[2], int)
    assert bmt[4] == pytest.approx(0.49)  # shown as 49,0% by the cell format
    assert bmt[11] == dt.datetime(2012, 4, 1)  # a date cell, not text
    total = rows[-1]
    assert total[1] == "Jumlah"
    assert total[2:4] == [442_800, 360_381] and total[5] == 82_419
    assert total[4] == pytest.approx(0.814)
    assert total[7] == 5_888 and total[10] == 2
    # Every working station of OKU Timur reported each of the 7 days (the two kecamatan whose
    # only station is at the vendor owed nothing): 100%, and empty for those two.
    assert total[-1] == pytest.approx(1.0)
    assert bmt[-1] is None
    percent_cell = sheet.cell(row=sheet.max_row, column=5)
    assert percent_cell.number_format == "0.0%"


def test_xlsx_of_a_kecamatan_names_the_device_columns(client, operator_oku_timur, loaded):
    client.force_login(operator_oku_timur)
    sheet = _sheet(client.get(f"/wilayah/16.08.12/?{AS_OF}&_export=xlsx"))
    assert [c.value for c in sheet[2]][:2] == ["Nomor seri", "Label"]
    assert sheet["A3"].value == "SMS-1608-12-1" and sheet["D3"].value == 20_879


def test_a_label_that_looks_like_a_formula_stays_text():
    device = DeviceCoverage(
        serial="X-1",
        label='=HYPERLINK("http://evil.example","klik")',
        url="/alat/X-1/",
        status="operational",
        status_label="Beroperasi",
        daily_capacity=100,
    )
    dashboard = Dashboard(total=Coverage(code="16.08.01", name="Martapura"), children=[device])
    sheet = _sheet(xlsx_response(dashboard, as_of=dt.date(2012, 4, 16)))
    assert sheet["B3"].data_type == "s"
    assert sheet["B3"].value.startswith("=HYPERLINK")


def test_unknown_export_format_is_a_clear_400(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    response = client.get(f"/wilayah/16.08/?{AS_OF}&_export=pdf")
    assert response.status_code == 400
    message = response.content.decode()
    assert "“pdf” tidak dikenal" in message and "csv" in message and "xlsx" in message


@pytest.mark.parametrize("export", ["csv", "xlsx", "pdf"])
def test_viewer_of_another_province_gets_404_on_the_export(client, viewer_aceh, loaded, export):
    client.force_login(viewer_aceh)
    assert client.get(f"/wilayah/16.08/?{AS_OF}&_export={export}").status_code == 404
    assert client.get(f"/wilayah/?{AS_OF}&_export={export}").status_code == 404


def test_operator_cannot_export_the_neighbouring_regency(client, operator_oku_selatan, loaded):
    client.force_login(operator_oku_selatan)
    assert client.get(f"/wilayah/16.08/?{AS_OF}&_export=csv").status_code == 404


def test_anonymous_visitor_is_sent_to_login_not_given_a_file(client, loaded):
    response = client.get(f"/wilayah/16.08/?{AS_OF}&_export=csv")
    assert response.status_code == 302 and "text/csv" not in response.get("Content-Type", "")


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_exports_have_the_page_query_budget(
    client, admin_user, loaded, django_assert_max_num_queries, export
):
    client.force_login(admin_user)
    # The page's 18, 6 for the card figures (3 for the area, 3 grouped by child) and 4 for the
    # reporting completeness (stations, their days off, the reports, those on days off).
    with django_assert_max_num_queries(28):
        assert client.get(f"/wilayah/16/?{AS_OF}&_export={export}").status_code == 200


def test_card_values_carry_suket_outstanding_and_blanko_needed():
    zeros = {field.name: 0 for field in dataclasses.fields(CardFigures)}
    figures = CardFigures(**zeros | {"blanko_needed": 520, "suket_outstanding": 700})

    values = card_values(figures, 10_000)
    assert (values["suket_outstanding"], values["blanko_needed"]) == (700, 520)
    # A device has neither.
    assert (card_values(None, 0)["suket_outstanding"], card_values(None, 0)["blanko_needed"]) == (
        None,
        None,
    )


def test_demo_csv_has_the_new_keys_empty_below_a_regency(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    regencies = {r["code"]: r for r in _csv(client.get(f"/wilayah/16/?{AS_OF}&_export=csv"))}
    kecamatan = _csv(client.get(f"/wilayah/16.09/?{AS_OF}&_export=csv"))

    # The demo issues no suket and receives blanko for the whole backlog.
    assert (regencies["16.09"]["suket_outstanding"], regencies["16.09"]["blanko_needed"]) == (
        "0",
        "0",
    )
    assert {(r["suket_outstanding"], r["blanko_needed"]) for r in kecamatan} == {("", "")}
