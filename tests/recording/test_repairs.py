"""The repair lifecycle, straight through the services the device page and the demo call."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps

from districts.models import SubDistrict
from districts.selectors import UserScope
from recording.models import DailyCount, DeviceStatusChange, RecordingDevice, Repair, Vendor
from recording.selectors.dashboards import area_dashboard
from recording.selectors.repairs import overdue_repairs
from recording.services.counts import CountRow, daily_counts_save
from recording.services.repairs import (
    RepairRefused,
    down_spells,
    repair_days_down,
    repair_days_overdue,
    repair_fix_on_site,
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
    """Today is 20 April 2012 (tests/conftest.py): "not in the future" reads the same any day."""


@pytest.fixture
def vendor(db):
    return Vendor.objects.create(name="Konsorsium Uji", agreed_repair_days=14)


def _report(device, day=BROKE_ON, user=None, symptom="Kamera tidak terdeteksi"):
    return repair_report_fault(device=device, reported_on=day, symptom=symptom, user=user)


def _ship(device, vendor, day=SHIPPED_ON, user=None, reference="TIKET-1"):
    return repair_ship(
        device=device, shipped_on=day, vendor=vendor, vendor_reference=reference, user=user
    )


def _timeline(device) -> list[tuple[str, str, dt.date]]:
    return list(
        DeviceStatusChange.objects.filter(device=device)
        .order_by("effective_on", "id")
        .values_list("event", "status", "effective_on")
    )


def _status(device) -> str:
    device.refresh_from_db()
    return device.status


def test_report_ship_and_return_move_the_device_and_date_every_step(
    make_device, vendor, operator_oku_timur, admin_user
):
    device = make_device()
    repair = _report(device, user=operator_oku_timur)
    assert _status(device) == "broken"
    assert (repair.reported_on, repair.symptom, repair.reported_by) == (
        D(2012, 4, 2),
        "Kamera tidak terdeteksi",
        operator_oku_timur,
    )
    assert repair.is_open

    _ship(device, vendor, user=admin_user)
    assert _status(device) == "at_vendor"
    repair.refresh_from_db()
    assert (repair.shipped_on, repair.vendor, repair.vendor_reference) == (
        D(2012, 4, 4),
        vendor,
        "TIKET-1",
    )

    repair_return(device=device, returned_on=D(2012, 4, 12), user=operator_oku_timur)
    assert _status(device) == "operational"
    repair.refresh_from_db()
    assert (repair.closed_on, repair.outcome, repair.is_open) == (D(2012, 4, 12), "returned", False)
    assert _timeline(device) == [
        ("fault_reported", "broken", D(2012, 4, 2)),
        ("shipped", "at_vendor", D(2012, 4, 4)),
        ("returned", "operational", D(2012, 4, 12)),
    ]
    who = DeviceStatusChange.objects.filter(device=device).order_by("effective_on")
    assert [c.changed_by for c in who] == [operator_oku_timur, admin_user, operator_oku_timur]
    assert all(c.repair == repair for c in who)


def test_a_fault_fixed_on_site_never_goes_to_the_vendor(make_device, operator_oku_timur):
    device = make_device()
    repair = _report(device, user=operator_oku_timur)
    repair_fix_on_site(
        device=device, fixed_on=D(2012, 4, 3), user=operator_oku_timur, note="Kabel diganti"
    )
    assert _status(device) == "operational"
    repair.refresh_from_db()
    assert (repair.closed_on, repair.outcome, repair.shipped_on) == (
        D(2012, 4, 3),
        "fixed_on_site",
        None,
    )
    assert _timeline(device)[-1] == ("fixed_on_site", "operational", D(2012, 4, 3))
    assert DeviceStatusChange.objects.filter(device=device).last().note == "Kabel diganti"


def test_a_replacement_takes_over_the_station_and_the_old_device_is_retired(
    make_device, vendor, admin_user
):
    old = make_device("16.08.12", label="Kec. Buay Madang Timur #1", daily_capacity=150)
    _report(old)
    _ship(old, vendor)
    new = repair_replace(
        device=old, replaced_on=D(2012, 4, 9), new_serial=" BARU-0001 ", user=admin_user
    )
    new.refresh_from_db()
    assert (new.serial, new.status, new.sub_district_id, new.label, new.daily_capacity) == (
        "BARU-0001",
        "operational",
        "16.08.12",
        "Kec. Buay Madang Timur #1",
        150,
    )
    assert new.commissioned_on == D(2012, 4, 9)
    assert new.replaces == old
    assert _status(old) == "retired"
    assert old.replaced_by == new
    repair = Repair.objects.get(device=old)
    assert (repair.closed_on, repair.outcome, repair.replacement) == (
        D(2012, 4, 9),
        "replaced",
        new,
    )
    assert _timeline(old)[-1] == ("replaced", "retired", D(2012, 4, 9))


def _snapshot():
    return {
        "devices": list(RecordingDevice.objects.order_by("pk").values_list("pk", "status")),
        "repairs": list(Repair.objects.order_by("pk").values()),
        "changes": DeviceStatusChange.objects.count(),
    }


def _operational(make_device, vendor):
    return make_device()


def _broken(make_device, vendor):
    device = make_device()
    _report(device)
    return device


def _at_vendor(make_device, vendor):
    device = _broken(make_device, vendor)
    _ship(device, vendor)
    return device


@pytest.mark.parametrize(
    ("start", "step", "message"),
    [
        (
            _operational,
            lambda d, v: _ship(d, v),
            "berstatus beroperasi; “Dikirim ke vendor” hanya bisa dari status rusak.",
        ),
        (
            _broken,
            lambda d, v: repair_return(device=d, returned_on=D(2012, 4, 10), user=None),
            "berstatus rusak; “Kembali dari vendor, beroperasi” hanya bisa dari status di vendor.",
        ),
        (
            _broken,
            lambda d, v: _report(d, D(2012, 4, 5)),
            "berstatus rusak; “Kerusakan dilaporkan” hanya bisa dari status beroperasi.",
        ),
        (
            _operational,
            lambda d, v: _report(d, D(2012, 4, 21)),
            "Tanggal rusak 21 Apr 2012 belum terjadi (hari ini 20 Apr 2012).",
        ),
        (
            _broken,
            lambda d, v: _ship(d, v, day=D(2012, 4, 1)),
            "Tanggal kirim 1 Apr 2012 tidak boleh sebelum 2 Apr 2012 (kejadian terakhir alat",
        ),
        (
            _at_vendor,
            lambda d, v: repair_fix_on_site(device=d, fixed_on=D(2012, 4, 10), user=None),
            "“Diperbaiki di tempat” hanya bisa dari status rusak.",
        ),
        (
            _operational,
            lambda d, v: _report(d, D(2011, 8, 31)),
            "tidak boleh sebelum 1 Sep 2011 (alat",
        ),
        (
            _operational,
            lambda d, v: _report(d, symptom="   "),
            "Tuliskan gejala kerusakannya",
        ),
        (
            _operational,
            lambda d, v: _report(d, symptom="x" * 301),
            "Gejala: Pastikan nilai ini mengandung paling banyak 300 karakter (sekarang 301",
        ),
        (
            _at_vendor,
            lambda d, v: repair_replace(
                device=d, replaced_on=D(2012, 4, 9), new_serial="ADA-0001", user=None
            ),
            "Nomor seri ADA-0001 sudah terdaftar untuk alat lain.",
        ),
        (
            _operational,
            lambda d, v: repair_replace(
                device=d, replaced_on=D(2012, 4, 9), new_serial="BARU-9", user=None
            ),
            "“Diganti alat baru” hanya bisa dari status rusak atau di vendor.",
        ),
    ],
    ids=[
        "ship-operational",
        "return-not-shipped",
        "report-broken",
        "future-day",
        "before-last-event",
        "fix-at-vendor",
        "before-commissioning",
        "no-symptom",
        "symptom-too-long",
        "replace-existing-serial",
        "replace-operational",
    ],
)
def test_a_refused_step_says_why_and_writes_nothing(make_device, vendor, start, step, message):
    make_device(serial="ADA-0001")
    device = start(make_device, vendor)
    before = _snapshot()
    with pytest.raises(RepairRefused) as refused:
        step(device, vendor)
    assert message in " ".join(refused.value.messages)
    assert _snapshot() == before


def test_a_long_symptom_is_kept_whole_on_the_repair_and_shortened_in_the_timeline(make_device):
    device = make_device()
    symptom = "Kamera tidak terdeteksi setelah listrik padam; " * 6  # 282 characters
    repair = _report(device, symptom=symptom)
    assert repair.symptom == symptom.strip()
    note = DeviceStatusChange.objects.get(device=device).note
    assert len(note) == 200 and note.endswith("…") and symptom.startswith(note[:-1])


def test_days_down_add_up_across_month_ends(make_device, vendor):
    device = make_device()
    first = _report(device, D(2012, 1, 30))
    _ship(device, vendor, D(2012, 2, 1))
    repair_return(device=device, returned_on=D(2012, 3, 2), user=None)
    second = _report(device, D(2012, 3, 28))
    repair_fix_on_site(device=device, fixed_on=D(2012, 4, 3), user=None)
    third = _report(device, D(2012, 4, 10))
    for repair in (first, second, third):
        repair.refresh_from_db()

    # 2012 is a leap year: 30-31 January, 29 days of February, 1 March.
    assert repair_days_down(first, as_of=D(2012, 4, 16)) == 32
    assert repair_days_down(second, as_of=D(2012, 4, 16)) == 6
    assert repair_days_down(third, as_of=D(2012, 4, 16)) == 6  # still open
    changes = _timeline(device)
    spells = down_spells([(status, day) for _, status, day in changes], as_of=D(2012, 4, 16))
    assert [(s.start, s.end, s.days) for s in spells] == [
        (D(2012, 1, 30), D(2012, 3, 2), 32),
        (D(2012, 3, 28), D(2012, 4, 3), 6),
        (D(2012, 4, 10), None, 6),
    ]
    # As of an earlier day, later events have not happened yet.
    earlier = down_spells([(status, day) for _, status, day in changes], as_of=D(2012, 2, 29))
    assert [(s.start, s.end, s.days) for s in earlier] == [(D(2012, 1, 30), None, 30)]


def test_a_repair_is_overdue_only_after_the_vendors_agreed_days(make_device, vendor):
    device = make_device()
    _report(device, D(2012, 3, 30))
    repair = _ship(device, vendor, D(2012, 4, 2))  # due back by 16 Apr 2012
    assert repair_days_overdue(repair, as_of=D(2012, 4, 16)) == 0
    assert repair_days_overdue(repair, as_of=D(2012, 4, 17)) == 1
    assert repair_days_overdue(repair, as_of=D(2012, 5, 2)) == 16
    repair = repair_return(device=device, returned_on=D(2012, 4, 20), user=None)
    assert repair_days_overdue(repair, as_of=D(2012, 5, 2)) == 0


def test_the_overdue_rule_reads_the_same_in_the_database_and_in_python(make_device, vendor):
    """The lists filter overdue repairs in SQL; the device page and alerts count the days in
    Python. Both must agree on every day around the due date, open or returned."""
    open_device, returned_device = make_device(), make_device()
    for device in (open_device, returned_device):
        _report(device, D(2012, 3, 30))
        _ship(device, vendor, D(2012, 4, 2))  # due back by 16 Apr 2012
    repair_return(device=returned_device, returned_on=D(2012, 4, 18), user=None)
    everywhere = UserScope(codes=(), everywhere=True)
    for day in (D(2012, 4, 15) + dt.timedelta(days=n) for n in range(6)):
        in_sql = set(overdue_repairs(scope=everywhere, today=day).values_list("device", flat=True))
        in_python = {
            repair.device_id
            for repair in Repair.objects.select_related("vendor")
            if repair_days_overdue(repair, as_of=day) > 0
            # The lists show repairs as they stand now; a later return is not yet known there.
            and (repair.closed_on is None or repair.closed_on <= day)
        }
        assert in_sql == in_python, day
    assert set(
        overdue_repairs(scope=everywhere, today=D(2012, 4, 20)).values_list("device", flat=True)
    ) == {open_device.pk}


def _count(device, day, count):
    daily_counts_save(
        rows=[CountRow(line=1, device=device, date=day, count=count)],
        user=None,
        confirm=True,
        today=D(2012, 4, 16),
    )


def _kecamatan(as_of):
    sub_district = SubDistrict.objects.select_related("regency").get(code="16.08.12")
    return area_dashboard(region=sub_district, code="16.08.12", as_of=as_of)


def _regency_row(as_of):
    regency = SubDistrict.objects.select_related("regency").get(code="16.08.12").regency
    dashboard = area_dashboard(region=regency, code=regency.code, as_of=as_of)
    return next(c for c in dashboard.children if c.code == "16.08.12")


def test_a_replacement_keeps_the_stations_counts_continuous(make_device, vendor):
    old = make_device("16.08.12", serial="LAMA-1")
    _count(old, D(2012, 4, 1), 50)
    _count(old, D(2012, 4, 2), 60)
    _report(old, D(2012, 4, 3))
    _ship(old, vendor, D(2012, 4, 4))
    new = repair_replace(device=old, replaced_on=D(2012, 4, 6), new_serial="BARU-1", user=None)
    _count(new, D(2012, 4, 6), 70)
    _count(new, D(2012, 4, 7), 80)
    assert DailyCount.objects.filter(device=old).count() == 2
    assert DailyCount.objects.filter(device=new).count() == 2

    while_down = _kecamatan(D(2012, 4, 5))
    assert (while_down.total.devices, while_down.total.devices_down) == (1, 1)
    assert while_down.total.recorded == 110
    assert _regency_row(D(2012, 4, 5)).no_working_device

    after = _kecamatan(D(2012, 4, 7))
    assert after.total.recorded == 110 + 150
    assert (after.total.devices, after.total.devices_down) == (1, 0)
    assert after.down_devices == []
    assert not _regency_row(D(2012, 4, 7)).no_working_device
    assert _regency_row(D(2012, 4, 7)).recorded == 260
    statuses = {row.serial: row.status for row in after.children}
    assert statuses == {"LAMA-1": "retired", "BARU-1": "operational"}


def test_devices_down_before_repairs_were_recorded_get_one_and_move_again(make_device, vendor):
    """Migration 0007: a device marked down before repairs existed had no open repair, so no
    repair step would take it (ship, return, fix, replace all need one)."""
    migration = importlib.import_module(
        "recording.migrations.0007_open_repairs_for_devices_already_down"
    )
    broken, shipped, working = make_device(), make_device(), make_device()
    # As such data stood: a status and its dated timeline, no repair row.
    history = {
        broken: [("broken", D(2012, 3, 20))],
        shipped: [
            ("broken", D(2012, 3, 1)),
            ("operational", D(2012, 3, 5)),
            ("broken", D(2012, 3, 28)),
            ("at_vendor", D(2012, 4, 2)),
        ],
        working: [("broken", D(2012, 2, 1)), ("operational", D(2012, 2, 3))],
    }
    for device, steps in history.items():
        for status, day in steps:
            DeviceStatusChange.objects.create(device=device, status=status, effective_on=day)
        RecordingDevice.objects.filter(pk=device.pk).update(status=steps[-1][0])
    broken.refresh_from_db()
    with pytest.raises(RepairRefused, match="tidak punya laporan kerusakan yang terbuka"):
        _ship(broken, vendor, D(2012, 4, 5))

    migration.open_missing_repairs(django_apps, None)
    migration.open_missing_repairs(django_apps, None)  # a second run opens nothing more

    repairs = {r.device_id: r for r in Repair.objects.all()}
    assert set(repairs) == {broken.pk, shipped.pk}
    assert (repairs[broken.pk].reported_on, repairs[broken.pk].shipped_on) == (D(2012, 3, 20), None)
    # The current spell only: it broke again on 28 March and went to the vendor on 2 April.
    assert (repairs[shipped.pk].reported_on, repairs[shipped.pk].shipped_on) == (
        D(2012, 3, 28),
        D(2012, 4, 2),
    )
    assert list(
        DeviceStatusChange.objects.filter(repair=repairs[shipped.pk])
        .order_by("effective_on")
        .values_list("effective_on", flat=True)
    ) == [D(2012, 3, 28), D(2012, 4, 2)]

    _ship(broken, vendor, D(2012, 4, 5))
    repair_return(device=shipped, returned_on=D(2012, 4, 10), user=None)
    assert (_status(broken), _status(shipped)) == ("at_vendor", "operational")
    assert Repair.objects.get(device=shipped).closed_on == D(2012, 4, 10)
