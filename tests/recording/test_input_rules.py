"""One rule per kind of input on every path: serials, known days, control characters."""

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from recording.models import RecordingDevice, Vendor
from recording.services.repairs import repair_report_fault
from tests.test_admin import _device_form

SERIAL_MESSAGE = (
    "Nomor seri hanya boleh berisi huruf, angka, tanda hubung (-), titik (.) dan garis bawah (_), "
    "dan diawali huruf atau angka."
)
LATEST = timezone.localdate().year + 1


@pytest.mark.parametrize("serial", ["SN-2012/0091", "NEW/19-1", "A B", "..", ".hidden", "-1", "Ä1"])
def test_the_model_refuses_a_serial_outside_the_rule(make_device, serial):
    device = RecordingDevice(
        serial=serial, sub_district_id="16.08.01", commissioned_on=dt.date(2011, 9, 1)
    )
    with pytest.raises(ValidationError) as refused:
        device.full_clean()
    assert refused.value.message_dict["serial"] == [SERIAL_MESSAGE]


def test_the_database_refuses_a_serial_outside_the_rule_on_any_path(make_device):
    device = make_device("16.08.01", serial="OKUT-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordingDevice.objects.filter(pk=device.pk).update(serial="SN-2012/0091")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordingDevice.objects.filter(pk=device.pk).update(serial="OKUT-1\n")


def test_the_admin_refuses_a_serial_with_a_slash_and_says_what_is_allowed(
    client, admin_user, make_device
):
    client.force_login(admin_user)
    template = make_device("16.08.01")
    response = client.post(
        reverse("admin:recording_recordingdevice_add"),
        _device_form(template, serial="SN-2012/0091", sub_district="16.08.02"),
    )
    assert response.status_code == 200
    assert SERIAL_MESSAGE in response.content.decode()
    assert "Huruf, angka, tanda hubung (-), titik (.) dan garis bawah (_) saja" in (
        response.content.decode()
    )
    assert not RecordingDevice.objects.filter(serial="SN-2012/0091").exists()


def test_the_replacement_step_refuses_a_new_serial_with_a_slash(client, admin_user, make_device):
    device = make_device("16.08.01", serial="LAMA-1")
    repair_report_fault(device=device, reported_on=dt.date(2012, 4, 2), symptom="Mati", user=None)
    client.force_login(admin_user)
    url = reverse("device_replace", kwargs={"serial": "LAMA-1"})
    form = client.get(url).content.decode()
    assert "Huruf, angka, tanda hubung (-), titik (.) dan garis bawah (_) saja" in form
    response = client.post(url, {"new_serial": "NEW/19-1", "replaced_on": "2012-04-10"})
    assert response.status_code == 400
    assert SERIAL_MESSAGE in response.content.decode()
    assert list(RecordingDevice.objects.values_list("serial", flat=True)) == ["LAMA-1"]


@pytest.mark.parametrize("serial", ["OKUT.BMT_01", "A", "9-9", "SN-2012-0091"])
def test_every_allowed_serial_has_working_pages(client, admin_user, make_device, serial):
    make_device("16.08.01", serial=serial)
    client.force_login(admin_user)
    assert reverse("device", kwargs={"serial": serial}) == f"/alat/{serial}/"
    assert client.get(f"/alat/{serial}/").status_code == 200
    assert client.get("/wilayah/16.08.01/").status_code == 200
    assert client.get("/entri/?area=16.08.01").status_code == 200


@pytest.mark.parametrize(
    ("serial", "taken", "renamed"),
    [
        ("SN-2012/0091", set(), "SN-2012-0091"),
        ("SN-2012/0091", {"SN-2012-0091"}, "SN-2012-0091-2"),
        ("SN-2012/0091", {"SN-2012-0091", "SN-2012-0091-2"}, "SN-2012-0091-3"),
        ("/lead", set(), "SN-lead"),
        (".x", set(), "SN.x"),
        ("Ä x", set(), "SN--x"),
        ("", set(), "SN"),
    ],
)
def test_the_migration_writes_an_old_serial_within_the_rule(serial, taken, renamed):
    migration = importlib.import_module(
        "recording.migrations.0009_device_serial_rule_and_input_checks"
    )
    assert migration.serial_within_the_rule(serial, taken) == renamed


def test_a_day_outside_the_known_years_is_refused_in_the_admin(client, admin_user, make_device):
    client.force_login(admin_user)
    template = make_device("16.08.01")
    response = client.post(
        reverse("admin:recording_recordingdevice_add"),
        _device_form(template, serial="BARU-1", commissioned_on="0001-01-01"),
    )
    assert response.status_code == 200
    assert (
        "Tanggal 0001-01-01 di luar rentang yang dikenal aplikasi "
        f"(1 Jan 2010 sampai 31 Des {LATEST})."
    ) in response.content.decode()
    assert not RecordingDevice.objects.filter(serial="BARU-1").exists()


def test_a_repair_step_refuses_a_day_outside_the_known_years(client, admin_user, make_device):
    make_device("16.08.01", serial="OK-1")
    client.force_login(admin_user)
    response = client.post(
        reverse("device_report_fault", kwargs={"serial": "OK-1"}),
        {"reported_on": "1999-12-31", "symptom": "Mati"},
    )
    assert response.status_code == 400
    assert "Tanggal 1999-12-31 di luar rentang yang dikenal aplikasi" in response.content.decode()


def test_a_symptom_with_a_control_character_is_refused_next_to_the_field(
    client, admin_user, make_device
):
    make_device("16.08.01", serial="OK-1")
    client.force_login(admin_user)
    response = client.post(
        reverse("device_report_fault", kwargs={"serial": "OK-1"}),
        {"reported_on": "2012-04-10", "symptom": "Kamera\x0bmati"},
    )
    assert response.status_code == 400
    assert (
        "Berisi karakter kontrol U+000B yang tidak terlihat dan tidak boleh disimpan; hapus "
        "karakter itu (ketik ulang isinya)."
    ) in response.content.decode()
    assert not RecordingDevice.objects.get(serial="OK-1").repairs.exists()


def test_an_entry_note_with_a_control_character_is_refused_and_nothing_is_saved(
    client, operator_oku_timur, make_device
):
    device = make_device("16.08.01", serial="OK-1")
    client.force_login(operator_oku_timur)
    response = client.post(
        "/entri/?area=16.08.01&date=2012-04-16",
        {
            f"count-{device.pk}": "12",
            f"note-{device.pk}": "ok\x1b[31m",
            f"version-{device.pk}": "0",
        },
    )
    assert response.status_code == 200  # the form again, with what was typed
    assert "karakter kontrol U+001B" in response.content.decode()
    assert not device.daily_counts.exists()


def test_the_admin_refuses_a_vendor_name_with_a_control_character(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:recording_vendor_add"),
        {"name": "Konsorsium\x07", "contact": "", "agreed_repair_days": "14"},
    )
    assert response.status_code == 200
    assert "karakter kontrol U+0007" in response.content.decode()
    assert not Vendor.objects.exists()
