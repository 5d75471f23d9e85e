"""Writes of the repair lifecycle: the only way a device's status changes.

operational → broken (fault reported) → at_vendor (shipped) → operational (returned) or retired
(replaced, the new device takes over the station); broken → operational (fixed on site). Each
step is one atomic service call that checks the transition, dates the change in the device's
status timeline (which the dashboards and the count rules read) and records who did it.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .choices import TRANSITIONS, DeviceStatus, RepairEvent
from .models import DeviceStatusChange, RecordingDevice, Repair, Vendor


class RepairRefused(ValidationError):
    """A step that may not happen now; the message says why, in the operator's words."""


def _locked(device: RecordingDevice) -> RecordingDevice:
    return RecordingDevice.objects.select_for_update().get(pk=device.pk)


def _check_day(device: RecordingDevice, day: dt.date, *, not_before: dt.date | None, what: str):
    today = timezone.localdate()
    if day > today:
        raise RepairRefused(
            f"Tanggal {what} {day:%d-%m-%Y} belum terjadi (hari ini {today:%d-%m-%Y})."
        )
    last = (
        DeviceStatusChange.objects.filter(device=device)
        .order_by("-effective_on", "-id")
        .values_list("effective_on", flat=True)
        .first()
    )
    floor = max(d for d in (not_before, last, device.commissioned_on) if d)
    if day < floor:
        raise RepairRefused(
            f"Tanggal {what} {day:%d-%m-%Y} tidak boleh sebelum {floor:%d-%m-%Y} "
            f"(kejadian terakhir alat {device.serial})."
        )


def _move(
    device: RecordingDevice,
    event: str,
    day: dt.date,
    *,
    user,
    repair: Repair | None,
    note: str = "",
) -> DeviceStatusChange:
    allowed_from, to = TRANSITIONS[event]
    if device.status not in allowed_from:
        raise RepairRefused(
            f"Alat {device.serial} berstatus {DeviceStatus(device.status).label.lower()}; "
            f"“{RepairEvent(event).label}” hanya bisa dari status "
            + " atau ".join(DeviceStatus(s).label.lower() for s in allowed_from)
            + "."
        )
    device.status = to
    device.save(update_fields=["status"])
    return DeviceStatusChange.objects.create(
        device=device,
        status=to,
        effective_on=day,
        event=event,
        repair=repair,
        note=note,
        changed_by=user if user and user.is_authenticated else None,
    )


def _open_repair(device: RecordingDevice) -> Repair:
    repair = Repair.objects.select_for_update().filter(device=device, closed_on=None).first()
    if repair is None:
        raise RepairRefused(f"Alat {device.serial} tidak punya laporan kerusakan yang terbuka.")
    return repair


@transaction.atomic
def repair_report_fault(*, device: RecordingDevice, reported_on: dt.date, symptom: str, user):
    """The device broke on `reported_on`: it is down from that day on."""
    device = _locked(device)
    symptom = symptom.strip()
    if not symptom:
        raise RepairRefused("Tuliskan gejala kerusakannya, mis. “kamera tidak terdeteksi”.")
    _check_day(device, reported_on, not_before=None, what="rusak")
    if device.status != DeviceStatus.OPERATIONAL:
        _move(device, RepairEvent.FAULT_REPORTED, reported_on, user=user, repair=None)  # refuses
    repair = Repair.objects.create(
        device=device,
        reported_on=reported_on,
        symptom=symptom,
        reported_by=user if user and user.is_authenticated else None,
    )
    _move(device, RepairEvent.FAULT_REPORTED, reported_on, user=user, repair=repair, note=symptom)
    return repair


@transaction.atomic
def repair_ship(
    *,
    device: RecordingDevice,
    shipped_on: dt.date,
    vendor: Vendor,
    vendor_reference: str = "",
    user,
    note: str = "",
) -> Repair:
    """The broken device went to the vendor on `shipped_on`."""
    device = _locked(device)
    repair = _open_repair(device)
    _check_day(device, shipped_on, not_before=repair.reported_on, what="kirim")
    _move(device, RepairEvent.SHIPPED, shipped_on, user=user, repair=repair, note=note)
    repair.shipped_on, repair.vendor = shipped_on, vendor
    repair.vendor_reference = vendor_reference.strip()
    repair.save(update_fields=["shipped_on", "vendor", "vendor_reference"])
    return repair


@transaction.atomic
def repairs_ship(
    *, devices: list[RecordingDevice], shipped_on: dt.date, vendor: Vendor, user, note: str = ""
) -> list[Repair]:
    """Ship several broken devices in one go: all of them, or none if one may not go."""
    return [
        repair_ship(device=d, shipped_on=shipped_on, vendor=vendor, user=user, note=note)
        for d in sorted(devices, key=lambda d: d.pk)
    ]


def _close(device, repair, event, day, *, user, note, what) -> Repair:
    _check_day(device, day, not_before=repair.shipped_on or repair.reported_on, what=what)
    _move(device, event, day, user=user, repair=repair, note=note)
    repair.closed_on, repair.outcome = day, event
    repair.save(update_fields=["closed_on", "outcome"])
    return repair


@transaction.atomic
def repair_fix_on_site(*, device: RecordingDevice, fixed_on: dt.date, user, note: str = ""):
    """Fixed where it stands, without going to the vendor: working again from `fixed_on`."""
    device = _locked(device)
    repair = _open_repair(device)
    return _close(
        device, repair, RepairEvent.FIXED_ON_SITE, fixed_on, user=user, note=note, what="perbaikan"
    )


@transaction.atomic
def repair_return(*, device: RecordingDevice, returned_on: dt.date, user, note: str = ""):
    """Back from the vendor and recording again from `returned_on`."""
    device = _locked(device)
    repair = _open_repair(device)
    return _close(
        device, repair, RepairEvent.RETURNED, returned_on, user=user, note=note, what="kembali"
    )


@transaction.atomic
def repair_replace(
    *, device: RecordingDevice, replaced_on: dt.date, new_serial: str, user, note: str = ""
) -> RecordingDevice:
    """A new device takes over the station from `replaced_on`; the old one is retired.

    The new device serves the same sub-district with the same label and capacity, so the
    station's counts continue on the dashboards without a gap.
    """
    device = _locked(device)
    repair = _open_repair(device)
    new_serial = new_serial.strip()
    if not new_serial:
        raise RepairRefused("Isi nomor seri alat pengganti.")
    if RecordingDevice.objects.filter(serial=new_serial).exists():
        raise RepairRefused(f"Nomor seri {new_serial} sudah terdaftar untuk alat lain.")
    _close(device, repair, RepairEvent.REPLACED, replaced_on, user=user, note=note, what="ganti")
    replacement = RecordingDevice(
        serial=new_serial,
        sub_district_id=device.sub_district_id,
        label=device.label,
        daily_capacity=device.daily_capacity,
        commissioned_on=replaced_on,
        status=DeviceStatus.OPERATIONAL,
        replaces=device,
    )
    replacement.full_clean()
    replacement.save()
    repair.replacement = replacement
    repair.save(update_fields=["replacement"])
    return replacement
