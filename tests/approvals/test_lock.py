"""An approved month is locked: the entry form, the upload's save, `import_counts` and a
back-dated repair are all refused in it, naming who approved, and allowed after an unlock."""

import datetime as dt
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from approvals.services import period_approve, period_unlock
from recording.models import DailyCount, DeviceStatusChange, Repair
from recording.services.repairs import RepairRefused, repair_report_fault
from tests.approvals.conftest import MARCH, march_reports
from tests.recording.test_entry_views import _read, _text

pytestmark = pytest.mark.usefixtures("frozen_today")

DAY = dt.date(2012, 3, 15)
LOCKED = (
    "Bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur sudah disetujui oleh Rina Sari "
    "(admin_timur) pada "
)


@pytest.fixture
def approved(timur, admin_timur, station):
    """March 2012 of OKU Timur approved (its station reported every day but the 15th)."""
    march_reports(station)
    DailyCount.objects.filter(date=DAY).delete()
    period_approve(regency=timur, month=MARCH, user=admin_timur, reason="Tanggal 15 kosong")


def _unlock(timur, admin_timur):
    period_unlock(regency=timur, month=MARCH, user=admin_timur, reason="Laporan 15 Maret")


def _entry_url(day=DAY) -> str:
    return f"{reverse('entry')}?{urlencode({'date': day.isoformat()})}"


def _enter(client, station, count):
    page = client.get(_entry_url())
    data = _read(page).fields
    data[f"count-{station.pk}"] = str(count)
    return client.post(_entry_url(), data)


def test_the_entry_form_is_refused_in_a_locked_month_until_it_is_unlocked(
    client, operator_oku_timur, timur, admin_timur, station, approved
):
    client.force_login(operator_oku_timur)

    refused = _enter(client, station, 44)

    assert refused.status_code == 200
    assert f"OKUT-01 tanggal 15 Mar 2012: {LOCKED}" in _text(refused)
    assert "minta pembukaan kunci" in _text(refused)
    assert not DailyCount.objects.filter(date=DAY).exists()

    _unlock(timur, admin_timur)
    assert _enter(client, station, 44).status_code == 302
    assert DailyCount.objects.get(date=DAY).count == 44


def test_a_month_of_another_regency_is_not_locked(
    client, operator_oku_selatan, make_device, approved
):
    muaradua = make_device("16.09.01", serial="OKUS-01")
    client.force_login(operator_oku_selatan)
    assert _enter(client, muaradua, 12).status_code == 302
    assert DailyCount.objects.get(device=muaradua).count == 12


def _upload(client, text: str) -> str:
    file = SimpleUploadedFile("jumlah.csv", text.encode())
    return client.post(reverse("count_import_upload"), {"file": file})["Location"]


def test_the_upload_is_refused_at_its_save_when_the_month_was_approved_after_its_preview(
    client, operator_oku_timur, timur, admin_timur, station
):
    march_reports(station)
    DailyCount.objects.filter(date=DAY).delete()
    client.force_login(operator_oku_timur)
    url = _upload(client, "date,device,count\n2012-03-15,OKUT-01,33\n2012-03-14,OKUT-01,11\n")
    client.get(url)  # the preview, before the approval: nothing locked yet
    period_approve(regency=timur, month=MARCH, user=admin_timur, reason="Tanggal 15 kosong")

    refused = client.post(url, follow=True)

    page = _text(refused)
    assert f"Baris 2, kolom date: alat OKUT-01 tanggal 15 Mar 2012: {LOCKED}" in page
    assert f"Baris 3, kolom date: alat OKUT-01 tanggal 14 Mar 2012: {LOCKED}" in page
    assert not DailyCount.objects.filter(date=DAY).exists()
    assert DailyCount.objects.get(date=dt.date(2012, 3, 14)).count == 10

    # After the unlock, the same file uploaded again saves (the refused preview keeps its
    # errors: a preview is never checked again).
    _unlock(timur, admin_timur)
    url = _upload(client, "date,device,count\n2012-03-15,OKUT-01,33\n2012-03-14,OKUT-01,11\n")
    client.get(url)
    client.post(url)
    assert DailyCount.objects.get(date=DAY).count == 33
    assert DailyCount.objects.get(date=dt.date(2012, 3, 14)).count == 11


def test_sending_a_locked_day_s_stored_figure_again_changes_nothing_and_is_allowed(
    client, operator_oku_timur, station, approved
):
    client.force_login(operator_oku_timur)
    url = _upload(client, "date,device,count\n2012-03-14,OKUT-01,10\n")
    client.get(url)
    client.post(url)
    assert DailyCount.objects.get(date=dt.date(2012, 3, 14)).count == 10


def test_import_counts_exits_non_zero_in_a_locked_month_and_writes_nothing(
    tmp_path, timur, admin_timur, station, approved
):
    path = tmp_path / "jumlah.csv"
    path.write_text("date,device,count\n2012-03-15,OKUT-01,25\n2012-04-02,OKUT-01,20\n")
    err = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_counts", str(path), stderr=err, stdout=StringIO())

    assert refused.value.returncode == 1
    assert f"Baris 2, kolom date: alat OKUT-01 tanggal 15 Mar 2012: {LOCKED}" in err.getvalue()
    assert "Baris 3" not in err.getvalue()  # April is open
    assert not DailyCount.objects.filter(date__in=[DAY, dt.date(2012, 4, 2)]).exists()

    _unlock(timur, admin_timur)
    call_command("import_counts", str(path), stdout=StringIO())
    assert DailyCount.objects.get(date=DAY).count == 25


def test_a_repair_back_dated_into_a_locked_month_is_refused(
    timur, admin_timur, operator_oku_timur, station, approved
):
    with pytest.raises(RepairRefused) as refused:
        repair_report_fault(
            device=station,
            reported_on=dt.date(2012, 3, 30),
            symptom="Kamera mati",
            user=operator_oku_timur,
        )

    assert " ".join(refused.value.messages).startswith(f"Tanggal rusak 30 Mar 2012: {LOCKED}")
    assert not Repair.objects.exists() and not DeviceStatusChange.objects.exists()

    _unlock(timur, admin_timur)
    repair_report_fault(
        device=station, reported_on=dt.date(2012, 3, 30), symptom="Kamera mati", user=None
    )
    assert Repair.objects.get().reported_on == dt.date(2012, 3, 30)
