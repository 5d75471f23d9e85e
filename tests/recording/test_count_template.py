"""The count file to fill in: the operator's own working devices for a day, CSV or XLSX, that
the upload reads back as it is."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from recording.models import RecordingDevice, Vendor
from recording.services.imports import count_file_read
from recording.services.repairs import repair_report_fault, repair_ship

DAY = dt.date(2012, 4, 16)


@pytest.fixture
def devices(make_device):
    """Three working OKU Timur devices, one at the vendor that day, one retired, one elsewhere."""
    for serial, code in [
        ("TIM-01", "16.08.01"),
        ("TIM-02", "16.08.01"),
        ("TIM-12", "16.08.12"),
        ("TIM-RUSAK", "16.08.02"),
        ("TIM-PENSIUN", "16.08.02"),
        ("SEL-01", "16.09.01"),
    ]:
        make_device(code, serial=serial, label=f"Meja {serial[-2:]}")
    down = RecordingDevice.objects.get(serial="TIM-RUSAK")
    repair_report_fault(device=down, reported_on=DAY, symptom="mati", user=None)
    repair_ship(device=down, shipped_on=DAY, vendor=Vendor.objects.create(name="Uji"), user=None)
    RecordingDevice.objects.filter(serial="TIM-PENSIUN").update(status="retired")


def test_csv_lists_the_operators_working_devices_for_the_day(client, operator_oku_timur, devices):
    client.force_login(operator_oku_timur)
    response = client.get("/impor/templat/", {"format": "csv", "date": "2012-04-16"})
    assert response.status_code == 200
    assert 'filename="jumlah-harian-wilayah-saya-2012-04-16.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["date", "device", "count", "note", "kecamatan", "label"],
        ["2012-04-16", "TIM-01", "", "", "Martapura", "Meja 01"],
        ["2012-04-16", "TIM-02", "", "", "Martapura", "Meja 02"],
        ["2012-04-16", "TIM-12", "", "", "Buay Madang Timur", "Meja 12"],
    ]


def test_an_area_narrows_the_file_and_one_outside_the_users_is_refused(
    client, operator_oku_timur, devices
):
    client.force_login(operator_oku_timur)
    narrow = client.get(
        "/impor/templat/", {"format": "csv", "date": "2012-04-16", "area": "16.08.12"}
    )
    assert [r[1] for r in csv.reader(io.StringIO(narrow.content.decode()))] == ["device", "TIM-12"]
    outside = client.get("/impor/templat/", {"format": "csv", "area": "16.09"})
    assert outside.status_code == 400
    assert "Wilayah 16.09 di luar area Anda." in outside.content.decode()


def test_a_filled_in_xlsx_template_is_read_back_without_a_problem(
    client, operator_oku_timur, devices
):
    client.force_login(operator_oku_timur)
    response = client.get("/impor/templat/", {"format": "xlsx", "date": "2012-04-16"})
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == ["date", "device", "count", "note", "kecamatan", "label"]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=3, value=40 + row)
    filled = io.BytesIO()
    workbook.save(filled)

    read = count_file_read(content=filled.getvalue(), file_name="isi.xlsx", user=operator_oku_timur)

    assert read.errors == []
    assert [(r.device.serial, r.date, r.count) for r in read.rows] == [
        ("TIM-01", DAY, 42),
        ("TIM-02", DAY, 43),
        ("TIM-12", DAY, 44),
    ]


def test_a_viewer_gets_no_template_and_a_bad_day_is_named(
    client, viewer_sumsel, operator_oku_timur
):
    client.force_login(viewer_sumsel)
    assert client.get("/impor/templat/", {"format": "csv"}).status_code == 403
    client.force_login(operator_oku_timur)
    bad = client.get("/impor/templat/", {"format": "csv", "date": "0001-01-01"})
    assert bad.status_code == 400
    assert "Tanggal 0001-01-01 di luar rentang yang dikenal aplikasi" in bad.content.decode()


def test_the_upload_help_example_uses_the_operators_own_serials_and_reads_back(
    client, operator_oku_timur, devices, settings
):
    settings.DEFAULT_DAY = DAY
    client.force_login(operator_oku_timur)
    response = client.get("/impor/")
    assert response.context["example"] == [
        ["2012-04-16", "TIM-01", 118, ""],
        ["16/04/2012", "TIM-02", 95, "listrik padam 2 jam"],
    ]
    page = response.content.decode()
    example = (
        "date,device,count,note\n2012-04-16,TIM-01,118,\n16/04/2012,TIM-02,95,listrik padam 2 jam\n"
    )
    assert f"<pre>{example}</pre>" in page
    assert "OKUT-0012" not in page
    # The template form offers the same day, as XLSX unless the operator picks CSV.
    assert 'name="date" value="2012-04-16"' in page

    read = count_file_read(
        content=example.encode(), file_name="contoh.csv", user=operator_oku_timur
    )
    assert read.errors == []
    assert [(r.device.serial, r.date, r.count) for r in read.rows] == [
        ("TIM-01", DAY, 118),
        ("TIM-02", DAY, 95),
    ]


def test_an_area_without_working_devices_gets_no_made_up_example(
    client, operator_oku_timur, settings
):
    settings.DEFAULT_DAY = DAY
    client.force_login(operator_oku_timur)
    response = client.get("/impor/")
    assert response.context["example"] == []
    assert "<pre>date,device" not in response.content.decode()
    assert "Belum ada alat perekaman yang bekerja di wilayah Anda" in response.content.decode()
