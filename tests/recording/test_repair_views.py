"""The repair steps as people use them: buttons on the device page, a small form, a message."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from districts.choices import Role
from recording.models import DeviceStatusChange, RecordingDevice, Repair, Vendor
from recording.services.repairs import (
    repair_replace,
    repair_report_fault,
    repair_return,
    repair_ship,
)

D = dt.date
BROKE_ON = D(2012, 4, 2)
SHIPPED_ON = D(2012, 4, 4)


@pytest.fixture(autouse=True)
def _today(frozen_today):
    """Today is 20 April 2012 (tests/conftest.py), whatever the calendar says."""


def _text(response) -> str:
    """What a reader sees: no tags, entities decoded, whitespace squeezed."""
    return _clean(response.content.decode())


@pytest.fixture
def vendor(db):
    return Vendor.objects.create(name="Konsorsium Uji", agreed_repair_days=14)


@pytest.fixture
def admin_oku_timur(make_user):
    """A regency's own admin: not a superuser, only the admin group and the regency."""
    return make_user("admin_okut", Role.ADMIN, "16.08", is_staff=True)


def _broken(device, day=BROKE_ON):
    repair_report_fault(device=device, reported_on=day, symptom="Kamera mati", user=None)
    device.refresh_from_db()
    return device


def _at_vendor(device, vendor, day=SHIPPED_ON):
    _broken(device)
    repair_ship(device=device, shipped_on=day, vendor=vendor, vendor_reference="T-1", user=None)
    device.refresh_from_db()
    return device


def _post_data(action, vendor):
    day = "2012-04-10"
    return {
        "device_report_fault": {"reported_on": day, "symptom": "Kamera mati"},
        "device_ship": {"vendor": vendor.pk, "vendor_reference": "T-9", "shipped_on": day},
        "device_return": {"returned_on": day},
        "device_fix": {"fixed_on": day},
        "device_replace": {"new_serial": "BARU-7", "replaced_on": day},
    }[action]


# The status each step starts from, so a refused request is refused for who asks, not for what.
READY = {
    "device_report_fault": lambda device, vendor: device,
    "device_ship": lambda device, vendor: _broken(device),
    "device_return": _at_vendor,
    "device_fix": lambda device, vendor: _broken(device),
    "device_replace": _at_vendor,
}


def _url(action, device):
    return reverse(action, kwargs={"serial": device.serial})


def _snapshot():
    return (
        list(RecordingDevice.objects.order_by("pk").values_list("serial", "status")),
        list(Repair.objects.order_by("pk").values()),
        DeviceStatusChange.objects.count(),
    )


def test_an_operator_reports_a_fault_in_two_clicks(client, operator_oku_timur, make_device):
    device = make_device("16.08.01")
    client.force_login(operator_oku_timur)
    page = client.get(device.get_absolute_url())
    button = f'href="{_url("device_report_fault", device)}"'
    assert button in page.content.decode()
    assert "Laporkan kerusakan" in _text(page)

    form = client.get(_url("device_report_fault", device))  # click 1
    assert form.status_code == 200
    assert 'value="2012-04-20"' in form.content.decode()  # today is already filled in
    response = client.post(  # click 2
        _url("device_report_fault", device),
        {"reported_on": "2012-04-20", "symptom": "Pemindai sidik jari mati"},
        follow=True,
    )
    assert response.redirect_chain == [(device.get_absolute_url(), 302)]
    text = _text(response)
    assert f"Kerusakan alat {device.serial} dilaporkan" in text
    assert "Perbaikan terbuka" in text and "Pemindai sidik jari mati" in text
    assert "Dilaporkan oleh op_okutimur" in text
    device.refresh_from_db()
    assert device.status == "broken"
    repair = Repair.objects.get(device=device)
    assert (repair.reported_on, repair.reported_by) == (D(2012, 4, 20), operator_oku_timur)


@pytest.mark.parametrize("action", list(READY))
def test_an_operator_of_another_regency_cannot_touch_the_device(
    client, operator_oku_timur, make_device, vendor, action
):
    device = READY[action](make_device("16.09.01"), vendor)  # OKU Selatan
    before = _snapshot()
    client.force_login(operator_oku_timur)
    assert client.get(_url(action, device)).status_code == 404
    assert client.post(_url(action, device), _post_data(action, vendor)).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("action", list(READY))
def test_a_viewer_may_not_take_any_step(client, viewer_sumsel, make_device, vendor, action):
    device = READY[action](make_device("16.08.01"), vendor)
    before = _snapshot()
    client.force_login(viewer_sumsel)
    assert client.get(_url(action, device)).status_code == 403
    assert client.post(_url(action, device), _post_data(action, vendor)).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("action", list(READY))
def test_an_anonymous_visitor_is_sent_to_log_in(client, make_device, vendor, action):
    device = READY[action](make_device("16.08.01"), vendor)
    before = _snapshot()
    for response in (
        client.get(_url(action, device)),
        client.post(_url(action, device), _post_data(action, vendor)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert _snapshot() == before


@pytest.mark.parametrize("action", ["device_ship", "device_replace"])
def test_an_operator_cannot_ship_or_replace_but_an_admin_can(
    client, operator_oku_timur, admin_oku_timur, make_device, vendor, action
):
    device = READY[action](make_device("16.08.01"), vendor)
    before = _snapshot()
    client.force_login(operator_oku_timur)
    assert client.get(_url(action, device)).status_code == 403
    assert client.post(_url(action, device), _post_data(action, vendor)).status_code == 403
    assert _snapshot() == before

    client.force_login(admin_oku_timur)
    assert client.get(_url(action, device)).status_code == 200
    response = client.post(_url(action, device), _post_data(action, vendor))
    assert response.status_code == 302
    assert response.url == device.get_absolute_url()
    device.refresh_from_db()
    assert device.status == {"device_ship": "at_vendor", "device_replace": "retired"}[action]


def test_the_regency_admin_is_kept_to_their_regency(client, admin_oku_timur, make_device, vendor):
    device = _broken(make_device("16.09.01"))
    client.force_login(admin_oku_timur)
    response = client.post(_url("device_ship", device), _post_data("device_ship", vendor))
    assert response.status_code == 404
    assert client.get(device.get_absolute_url()).status_code == 404


def test_a_refused_step_shows_why_and_writes_nothing(client, operator_oku_timur, make_device):
    device = _broken(make_device("16.08.01"))
    before = _snapshot()
    client.force_login(operator_oku_timur)
    response = client.post(_url("device_fix", device), {"fixed_on": "2012-04-21"})
    assert response.status_code == 400
    assert "Tanggal perbaikan 21 Apr 2012 belum terjadi (hari ini 20 Apr 2012)" in _text(response)

    response = client.post(_url("device_return", device), {"returned_on": "2012-04-10"})
    assert response.status_code == 400
    assert (
        f"Alat {device.serial} berstatus rusak; “Kembali dari vendor, beroperasi” hanya bisa "
        "dari status di vendor." in _text(response)
    )

    response = client.post(_url("device_fix", device), {"fixed_on": "2012-04-31"})
    assert response.status_code == 400
    assert "Tanggal “2012-04-31” tidak dikenal" in _text(response)
    assert _snapshot() == before


def test_a_step_the_status_does_not_allow_is_explained_before_typing(
    client, operator_oku_timur, make_device
):
    device = make_device("16.08.01")
    client.force_login(operator_oku_timur)
    response = client.get(_url("device_return", device))
    assert response.status_code == 200
    assert "hanya bisa dari status di vendor" in _text(response)
    assert '<form method="post"' not in response.content.decode().split("<main>")[1]


def _rows(response, table_class: str) -> list[list[str]]:
    """The cells of a table on the page, as read."""
    page = response.content.decode()
    table = re.search(rf'<table class="data {table_class}">.*?<tbody>(.*?)</tbody>', page, re.S)
    return [
        [_clean(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)
    ]


def _clean(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _buttons(client, device) -> list[str]:
    page = client.get(device.get_absolute_url()).content.decode()
    actions = re.search(r'<p class="repair-actions">(.*?)</p>', page, re.S)
    return re.findall(r">([^<]+)</a>", actions.group(1)) if actions else []


def test_the_device_page_offers_only_the_steps_allowed_now_to_this_user(
    client, operator_oku_timur, admin_oku_timur, viewer_sumsel, make_device, vendor
):
    working = make_device("16.08.01")
    broken = _broken(make_device("16.08.01"))
    away = _at_vendor(make_device("16.08.01"), vendor)
    retired = _at_vendor(make_device("16.08.01"), vendor)
    repair_replace(device=retired, replaced_on=D(2012, 4, 6), new_serial="BARU-2", user=None)
    client.force_login(operator_oku_timur)
    assert _buttons(client, working) == ["Laporkan kerusakan"]
    assert _buttons(client, broken) == ["Diperbaiki di tempat"]
    assert _buttons(client, away) == ["Kembali dari vendor"]
    assert _buttons(client, retired) == []
    client.force_login(admin_oku_timur)
    assert _buttons(client, broken) == [
        "Kirim ke vendor",
        "Diperbaiki di tempat",
        "Ganti dengan alat baru",
    ]
    assert _buttons(client, away) == ["Kembali dari vendor", "Ganti dengan alat baru"]
    client.force_login(viewer_sumsel)
    assert _buttons(client, broken) == []


def test_the_device_page_shows_the_history_the_downtime_and_the_replacement(
    client, operator_oku_timur, make_device, vendor
):
    old = make_device("16.08.12", serial="LAMA-1")
    repair_report_fault(device=old, reported_on=D(2012, 1, 30), symptom="Mati total", user=None)
    repair_ship(device=old, shipped_on=D(2012, 2, 1), vendor=vendor, user=None)
    repair_return(device=old, returned_on=D(2012, 3, 2), user=operator_oku_timur)
    repair_report_fault(
        device=old, reported_on=D(2012, 3, 28), symptom="Kamera", user=operator_oku_timur
    )
    new = repair_replace(device=old, replaced_on=D(2012, 4, 3), new_serial="BARU-1", user=None)
    client.force_login(operator_oku_timur)

    response = client.get(old.get_absolute_url() + "?as_of=2012-04-16")
    text = _text(response)
    # 32 days across the end of January and of (leap) February, then 6 until the replacement.
    assert "Total tidak beroperasi: 38 hari (2 kali rusak)" in text
    assert "Tidak ada perbaikan terbuka per tanggal ini." in text
    assert "Alat ini diganti oleh BARU-1 sejak 3 Apr 2012." in text
    assert _rows(response, "repair-history") == [
        ["28 Mar 2012", "Kamera", "op_okutimur", "–", "–", "–", "3 Apr 2012",
         "Diganti alat baru: BARU-1", "6"],
        ["30 Jan 2012", "Mati total", "–", "1 Feb 2012", "Konsorsium Uji", "–", "2 Mar 2012",
         "Kembali dari vendor, beroperasi", "32"],
    ]  # fmt: skip
    assert [row[:3] for row in _rows(response, "status-history")] == [
        ["Sel, 3 Apr 2012", "Diganti alat baru", "Dipensiunkan"],
        ["Rab, 28 Mar 2012", "Kerusakan dilaporkan", "Rusak"],
        ["Jum, 2 Mar 2012", "Kembali dari vendor, beroperasi", "Beroperasi"],
        ["Rab, 1 Feb 2012", "Dikirim ke vendor", "Di vendor"],
        ["Sen, 30 Jan 2012", "Kerusakan dilaporkan", "Rusak"],
    ]

    text = _text(client.get(new.get_absolute_url()))
    assert "Alat ini menggantikan LAMA-1 sejak 3 Apr 2012." in text
    assert "Total tidak beroperasi: 0 hari" in text
    assert f'href="{old.get_absolute_url()}"' in client.get(new.get_absolute_url()).content.decode()


def test_an_open_repair_past_the_vendors_days_is_marked_late(
    client, operator_oku_timur, make_device, vendor
):
    device = _at_vendor(make_device("16.08.01"), vendor, day=BROKE_ON)  # due 16 Apr 2012
    client.force_login(operator_oku_timur)
    on_time = _text(client.get(device.get_absolute_url() + "?as_of=2012-04-16"))
    assert "Perbaikan terbuka" in on_time and "TERLAMBAT" not in on_time
    assert "Tidak beroperasi 14 hari" in on_time
    late = _text(client.get(device.get_absolute_url() + "?as_of=2012-04-18"))
    assert "Perbaikan terbuka TERLAMBAT" in late
    assert "terlambat 2 hari" in late and "Tidak beroperasi 16 hari" in late


@pytest.mark.parametrize("repairs", [1, 6])
def test_the_device_page_costs_the_same_queries_however_many_repairs(
    client, operator_oku_timur, make_device, vendor, django_assert_max_num_queries, repairs
):
    device = make_device("16.08.01")
    for i in range(repairs):
        day = D(2012, 3, 1) + dt.timedelta(days=3 * i)
        repair_report_fault(device=device, reported_on=day, symptom="Mati", user=None)
        repair_ship(device=device, shipped_on=day, vendor=vendor, user=operator_oku_timur)
        repair_return(device=device, returned_on=day + dt.timedelta(days=1), user=None)
    client.force_login(operator_oku_timur)
    with django_assert_max_num_queries(10):
        response = client.get(device.get_absolute_url() + "?as_of=2012-04-16")
    assert f"Total tidak beroperasi: {repairs} hari ({repairs} kali rusak)" in _text(response)
