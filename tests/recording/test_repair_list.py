"""The open-repairs list (/perbaikan/): filters, sort, overdue flag, downloads, batch shipping."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from recording.choices import DeviceStatus
from recording.models import DeviceStatusChange, RecordingDevice, Repair, Vendor
from recording.services.repairs import repair_report_fault, repair_ship

LIST = "/perbaikan/"
SHIP = "/perbaikan/kirim/"


def grant(user, *codenames):
    """Give recording permissions directly, whatever the user's role group holds."""
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="recording", codename__in=codenames)
    )
    return user


@pytest.fixture
def today(frozen_today):
    return frozen_today


@pytest.fixture
def days_ago(today):
    return lambda days: today - dt.timedelta(days=days)


@pytest.fixture
def konsorsium(db):
    return Vendor.objects.create(name="Konsorsium PNRI", agreed_repair_days=14)


@pytest.fixture
def servis(db):
    return Vendor.objects.create(name="CV Servis Palembang", agreed_repair_days=30)


@pytest.fixture
def broken(make_device, days_ago):
    """A device of `sub_district` reported broken `days` ago."""

    def make(sub_district: str, serial: str, days: int, symptom: str = "kamera mati"):
        device = make_device(sub_district, serial=serial, label=f"Meja {serial}")
        repair_report_fault(device=device, reported_on=days_ago(days), symptom=symptom, user=None)
        return device

    return make


def ship(device, vendor, shipped_on):
    repair_ship(device=device, shipped_on=shipped_on, vendor=vendor, user=None)


@pytest.fixture
def repairs(broken, days_ago, konsorsium, servis):
    """Open repairs in OKU Timur, OKU Selatan and Aceh; serial -> days down in the name."""
    broken("16.08.01", "TIM-40", 40)  # broken, not shipped
    ship(broken("16.08.12", "TIM-30", 30), konsorsium, days_ago(20))  # 20 > 14: overdue
    ship(broken("16.08.02", "TIM-20", 20), konsorsium, days_ago(14))  # exactly 14: on time
    ship(broken("16.08.03", "TIM-10", 10), servis, days_ago(5))  # 5 of 30: on time
    ship(broken("16.09.01", "SEL-50", 50), konsorsium, days_ago(15))  # 15 > 14: overdue
    broken("11.01.01", "ACE-05", 5)  # broken, not shipped


def listed(response) -> list[str]:
    """Serials in the table, top to bottom."""
    assert response.status_code == 200
    return re.findall(r'<a href="/alat/([^/"]+)/">', response.content.decode())


def row(response, serial: str) -> str:
    html = response.content.decode()
    start = html.index(f'<a href="/alat/{serial}/">')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_admin_sees_every_open_repair_longest_down_first(client, admin_user, repairs):
    client.force_login(admin_user)
    response = client.get(LIST)
    assert listed(response) == ["SEL-50", "TIM-40", "TIM-30", "TIM-20", "TIM-10", "ACE-05"]
    assert "6 perbaikan terbuka" in response.content.decode()


def test_sort_by_days_down_ascending(client, admin_user, repairs):
    client.force_login(admin_user)
    response = client.get(LIST, {"sort": "days_down"})
    assert listed(response) == ["ACE-05", "TIM-10", "TIM-20", "TIM-30", "TIM-40", "SEL-50"]


def test_sort_by_shipped_on_keeps_unshipped_last_both_ways(client, admin_user, repairs):
    client.force_login(admin_user)
    up = listed(client.get(LIST, {"sort": "shipped_on"}))
    down = listed(client.get(LIST, {"sort": "-shipped_on"}))
    assert up == ["TIM-30", "SEL-50", "TIM-20", "TIM-10", "ACE-05", "TIM-40"]
    assert down == ["TIM-10", "TIM-20", "SEL-50", "TIM-30", "ACE-05", "TIM-40"]


@pytest.mark.parametrize(
    "column",
    [
        "serial",
        "label",
        "sub_district",
        "regency",
        "status",
        "reported_on",
        "symptom",
        "vendor",
        "vendor_reference",
        "agreed_repair_days",
        "overdue",
    ],
)
def test_every_column_sorts(client, admin_user, repairs, column):
    client.force_login(admin_user)
    up = listed(client.get(LIST, {"sort": column}))
    down = listed(client.get(LIST, {"sort": f"-{column}"}))
    assert sorted(up) == sorted(down) == sorted(listed(client.get(LIST)))


def test_reported_on_sort_matches_days_down(client, admin_user, repairs):
    client.force_login(admin_user)
    assert listed(client.get(LIST, {"sort": "reported_on"})) == listed(client.get(LIST))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"province": "16"}, ["SEL-50", "TIM-40", "TIM-30", "TIM-20", "TIM-10"]),
        ({"province": "11"}, ["ACE-05"]),
        ({"regency": "16.09"}, ["SEL-50"]),
        ({"province": "16", "regency": "16.08"}, ["TIM-40", "TIM-30", "TIM-20", "TIM-10"]),
        ({"status": "broken"}, ["TIM-40", "ACE-05"]),
        ({"status": "at_vendor"}, ["SEL-50", "TIM-30", "TIM-20", "TIM-10"]),
        ({"overdue": "on"}, ["SEL-50", "TIM-30"]),
        ({"status": "at_vendor", "overdue": "on", "regency": "16.08"}, ["TIM-30"]),
    ],
)
def test_filters_narrow_the_list(client, admin_user, repairs, query, expected):
    client.force_login(admin_user)
    assert listed(client.get(LIST, query)) == expected


def test_vendor_filter(client, admin_user, repairs, konsorsium, servis):
    client.force_login(admin_user)
    assert listed(client.get(LIST, {"vendor": konsorsium.pk})) == ["SEL-50", "TIM-30", "TIM-20"]
    assert listed(client.get(LIST, {"vendor": servis.pk})) == ["TIM-10"]


def test_regency_outside_the_province_yields_nothing(client, admin_user, repairs):
    client.force_login(admin_user)
    response = client.get(LIST, {"province": "11", "regency": "16.08"})
    assert listed(response) == []
    assert "Saringan tidak sah" in response.content.decode()


def test_overdue_flag_only_past_the_agreed_days(client, admin_user, repairs):
    client.force_login(admin_user)
    response = client.get(LIST)
    assert "TERLAMBAT" in row(response, "TIM-30")
    assert "20 hari di vendor, disepakati 14 hari" in row(response, "TIM-30")
    assert "TERLAMBAT" in row(response, "SEL-50")
    for on_time in ("TIM-40", "TIM-20", "TIM-10", "ACE-05"):
        assert "TERLAMBAT" not in row(response, on_time)


def test_days_down_and_dates_in_the_row(client, admin_user, repairs, days_ago):
    client.force_login(admin_user)
    cells = row(client.get(LIST), "TIM-30")
    assert '<td class="num">30</td>' in cells
    assert "Konsorsium PNRI" in cells
    assert "Buay Madang Timur" in cells
    assert "Kabupaten Ogan Komering Ulu Timur" in cells
    assert "Di vendor" in cells


def test_csv_has_stable_keys_and_plain_values(client, admin_user, repairs, days_ago):
    client.force_login(admin_user)
    response = client.get(LIST, {"_export": "csv", "province": "16"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "serial",
        "label",
        "sub_district_code",
        "sub_district",
        "regency",
        "status",
        "reported_on",
        "symptom",
        "days_down",
        "shipped_on",
        "vendor",
        "vendor_reference",
        "agreed_repair_days",
        "overdue",
    ]
    by_serial = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(by_serial) == ["SEL-50", "TIM-40", "TIM-30", "TIM-20", "TIM-10"]
    assert by_serial["TIM-30"] == {
        "serial": "TIM-30",
        "label": "Meja TIM-30",
        "sub_district_code": "16.08.12",
        "sub_district": "Buay Madang Timur",
        "regency": "Kabupaten Ogan Komering Ulu Timur",
        "status": "at_vendor",
        "reported_on": days_ago(30).isoformat(),
        "symptom": "kamera mati",
        "days_down": "30",
        "shipped_on": days_ago(20).isoformat(),
        "vendor": "Konsorsium PNRI",
        "vendor_reference": "",
        "agreed_repair_days": "14",
        "overdue": "true",
    }
    assert by_serial["TIM-40"]["shipped_on"] == ""
    assert by_serial["TIM-40"]["overdue"] == "false"


def test_xlsx_opens_with_indonesian_labels_and_the_filtered_rows(
    client, admin_user, repairs, konsorsium, days_ago
):
    client.force_login(admin_user)
    response = client.get(LIST, {"_export": "xlsx", "vendor": konsorsium.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[1][:3] == ("Nomor seri", "Label", "Kode kecamatan")
    assert values[1][-1] == "Terlambat"
    assert [r[0] for r in values[2:]] == ["SEL-50", "TIM-30", "TIM-20"]
    sel = values[2]
    assert sel[5] == "Di vendor"
    assert sel[8] == 50
    assert sel[9].date() == days_ago(15)
    assert sel[-1] == "ya"


def test_unknown_export_format_is_refused(client, admin_user):
    client.force_login(admin_user)
    assert client.get(LIST, {"_export": "pdf"}).status_code == 400


# Scope and permissions -------------------------------------------------------------------


def test_operator_sees_only_their_regency(client, operator_oku_timur, repairs):
    client.force_login(grant(operator_oku_timur, "view_repair"))
    response = client.get(LIST)
    assert listed(response) == ["TIM-40", "TIM-30", "TIM-20", "TIM-10"]
    # The filter offers only what the operator's area reaches.
    assert 'value="16.08"' in response.content.decode()
    assert 'value="16.09"' not in response.content.decode()


def test_regency_outside_the_scope_yields_nothing(client, operator_oku_timur, repairs):
    client.force_login(grant(operator_oku_timur, "view_repair"))
    assert listed(client.get(LIST, {"regency": "16.09"})) == []
    csv_rows = client.get(LIST, {"regency": "16.09", "_export": "csv"}).content.decode()
    assert "SEL-50" not in csv_rows


def test_operator_export_stays_in_scope(client, operator_oku_timur, repairs):
    client.force_login(grant(operator_oku_timur, "view_repair"))
    content = client.get(LIST, {"_export": "csv"}).content.decode()
    assert "TIM-30" in content
    assert "SEL-50" not in content
    assert "ACE-05" not in content


def test_anonymous_is_sent_to_login(client):
    for response in (client.get(LIST), client.post(SHIP, {"device": ["X"]})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_user_without_permission_is_refused(client, make_user):
    client.force_login(make_user("tanpa_izin"))
    assert client.get(LIST).status_code == 403


def test_viewer_can_see_but_not_ship(client, viewer_sumsel, repairs, konsorsium, today):
    client.force_login(grant(viewer_sumsel, "view_repair"))
    response = client.get(LIST)
    assert listed(response) == ["SEL-50", "TIM-40", "TIM-30", "TIM-20", "TIM-10"]
    assert 'name="device"' not in response.content.decode()
    assert SHIP not in response.content.decode()
    response = client.post(
        SHIP, {"device": ["TIM-40"], "vendor": konsorsium.pk, "shipped_on": today.isoformat()}
    )
    assert response.status_code == 403
    assert RecordingDevice.objects.get(serial="TIM-40").status == DeviceStatus.BROKEN


# Batch shipping ------------------------------------------------------------------------------


@pytest.fixture
def shipper(client, operator_oku_timur):
    client.force_login(grant(operator_oku_timur, "view_repair", "change_repair"))
    return operator_oku_timur


def test_only_broken_rows_can_be_ticked(client, shipper, repairs):
    response = client.get(LIST)
    assert 'name="device" value="TIM-40"' in row(response, "TIM-40")
    assert 'name="device"' not in row(response, "TIM-30")


def test_batch_ships_every_selected_device(client, shipper, broken, konsorsium, days_ago, repairs):
    broken("16.08.04", "TIM-03", 3)
    response = client.post(
        SHIP,
        {
            "device": ["TIM-40", "TIM-03"],
            "vendor": konsorsium.pk,
            "shipped_on": days_ago(1).isoformat(),
            "vendor_reference": " RESI-778 ",
            "back": "status=broken&sort=-days_down",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{LIST}?status=broken&sort=-days_down"
    assert "2 alat dikirim ke Konsorsium PNRI." in response.content.decode()
    for serial in ("TIM-40", "TIM-03"):
        repair = Repair.objects.select_related("device").get(device__serial=serial, closed_on=None)
        assert repair.device.status == DeviceStatus.AT_VENDOR
        assert (repair.vendor, repair.shipped_on) == (konsorsium, days_ago(1))
        assert repair.vendor_reference == "RESI-778"
        change = DeviceStatusChange.objects.filter(device=repair.device).latest("id")
        assert (change.status, change.changed_by) == (DeviceStatus.AT_VENDOR, shipper)
    # They left the "broken" filter the operator came from.
    assert listed(response) == []


def test_one_refusal_ships_none(client, shipper, konsorsium, today, repairs):
    before = DeviceStatusChange.objects.count()
    response = client.post(
        SHIP,
        {"device": ["TIM-40", "TIM-30"], "vendor": konsorsium.pk, "shipped_on": today},
        follow=True,
    )
    page = response.content.decode()
    assert "TIM-30 berstatus di vendor" in page
    assert "Tidak ada alat yang dikirim." in page
    assert RecordingDevice.objects.get(serial="TIM-40").status == DeviceStatus.BROKEN
    assert Repair.objects.get(device__serial="TIM-40", closed_on=None).vendor is None
    assert DeviceStatusChange.objects.count() == before


def test_shipping_outside_the_scope_is_404_and_writes_nothing(
    client, shipper, broken, konsorsium, today, repairs
):
    broken("16.09.02", "SEL-07", 7)
    before = DeviceStatusChange.objects.count()
    for devices in (["SEL-07"], ["TIM-40", "SEL-07"]):
        response = client.post(
            SHIP, {"device": devices, "vendor": konsorsium.pk, "shipped_on": today.isoformat()}
        )
        assert response.status_code == 404
    assert RecordingDevice.objects.get(serial="SEL-07").status == DeviceStatus.BROKEN
    assert RecordingDevice.objects.get(serial="TIM-40").status == DeviceStatus.BROKEN
    assert DeviceStatusChange.objects.count() == before


def test_shipping_needs_a_vendor_and_a_device(client, shipper, today, repairs):
    response = client.post(SHIP, {"device": ["TIM-40"], "shipped_on": today}, follow=True)
    assert "Pilih vendor tujuan pengiriman." in response.content.decode()
    response = client.post(SHIP, {"shipped_on": today}, follow=True)
    assert "Centang dulu alat rusak yang akan dikirim." in response.content.decode()
    assert RecordingDevice.objects.get(serial="TIM-40").status == DeviceStatus.BROKEN


def test_shipping_in_the_future_is_refused(client, shipper, konsorsium, today, repairs):
    tomorrow = today + dt.timedelta(days=1)
    response = client.post(
        SHIP, {"device": ["TIM-40"], "vendor": konsorsium.pk, "shipped_on": tomorrow}, follow=True
    )
    assert "belum terjadi" in response.content.decode()
    assert RecordingDevice.objects.get(serial="TIM-40").status == DeviceStatus.BROKEN


def test_ship_only_by_post(client, shipper):
    assert client.get(SHIP).status_code == 405


# Query budget --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, operator_oku_timur, broken, konsorsium, days_ago, count
):
    for i in range(count):
        device = broken("16.08.01", f"Q-{i:03d}", 10 + i)
        if i % 2:
            ship(device, konsorsium, days_ago(i))
    client.force_login(grant(operator_oku_timur, "view_repair", "change_repair"))
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"overdue": "", "vendor": "", "province": "16"})
    assert len(listed(response)) == count
    with django_assert_max_num_queries(6):
        response = client.get(LIST, {"_export": "csv"})
    assert response.content.decode().count("\n") == count + 1


def test_days_down_count_to_today_in_jakarta(client, admin_user, make_device, monkeypatch):
    # 20:00 UTC on 16 April is already 03:00 on 17 April in Jakarta.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2012, 4, 16, 20, 0, tzinfo=dt.UTC))
    device = make_device("16.08.01", serial="WIB-1")
    repair_report_fault(device=device, reported_on=dt.date(2012, 4, 7), symptom="mati", user=None)
    client.force_login(admin_user)
    assert '<td class="num">10</td>' in row(client.get(LIST), "WIB-1")
    content = client.get(LIST, {"_export": "csv"}).content.decode()
    assert "WIB-1,,16.08.01,Martapura" in content
    assert ",2012-04-07,mati,10," in content


def test_page_past_the_end_shows_the_last_rows(client, admin_user, repairs):
    client.force_login(admin_user)
    assert len(listed(client.get(LIST, {"page": "99"}))) == 6
