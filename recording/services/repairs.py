"""Writes of the repair lifecycle: the only way a device's status changes.

operational → broken (fault reported) → at_vendor (shipped) → operational (returned) or retired
(replaced, the new device takes over the station); broken → operational (fixed on site). Each
step is one atomic service call that checks the transition, dates the change in the device's
status timeline (which the dashboards and the count rules read) and records who did it.

At the end, the small pure reads the device page and the alerts share: down spells, days down
and the overdue rule, computed from rows already fetched.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from approvals.selectors import month_start, period_locks
from common.days import format_day
from districts.codes import regency_code
from recording.choices import TRANSITIONS, DeviceStatus, RepairEvent
from recording.models import DeviceStatusChange, RecordingDevice, Repair, Vendor


class RepairRefused(ValidationError):
    """A step that may not happen now; the message says why, in the operator's words."""


def _locked(device: RecordingDevice) -> RecordingDevice:
    return RecordingDevice.objects.select_for_update().get(pk=device.pk)


def _who(user):
    return user if user and user.is_authenticated else None


def _label(status: str) -> str:
    return str(DeviceStatus(status).label).lower()


def _no_open_repair(device: RecordingDevice) -> str:
    return gettext("Alat %(serial)s tidak punya laporan kerusakan yang terbuka.") % {
        "serial": device.serial
    }


def repair_refusal(device: RecordingDevice, event: str, *, has_open_repair: bool) -> str | None:
    """Why `event` may not happen to the device now; None when it may. The one rule the steps
    (below), the device page's buttons and the repairs list's checkboxes all ask: the step
    starts from the device's status, and every step after the fault report belongs to an open
    repair."""
    allowed_from, _to = TRANSITIONS[event]
    if device.status not in allowed_from:
        return gettext(
            "Alat %(serial)s berstatus %(status)s; “%(step)s” hanya bisa dari status %(allowed)s."
        ) % {
            "serial": device.serial,
            "status": _label(device.status),
            "step": RepairEvent(event).label,
            "allowed": gettext(" atau ").join(_label(s) for s in allowed_from),
        }
    if event != RepairEvent.FAULT_REPORTED and not has_open_repair:
        return _no_open_repair(device)
    return None


def _check_transition(device: RecordingDevice, event: str) -> None:
    # The open repair is checked under its lock by `_open_repair`, where it is needed.
    if message := repair_refusal(device, event, has_open_repair=True):
        raise RepairRefused(message)


def _full_clean(obj: models.Model) -> None:
    """The model's own rules (lengths, constraints), reported as a refusal naming the field."""
    try:
        obj.full_clean()
    except ValidationError as error:
        messages = []
        for name, field_messages in error.message_dict.items():
            label = "" if name == NON_FIELD_ERRORS else obj._meta.get_field(name).verbose_name
            messages += [f"{str(label).capitalize()}: {m}" if label else m for m in field_messages]
        raise RepairRefused(messages) from None


def _check_day(device: RecordingDevice, day: dt.date, *, not_before: dt.date | None, what: str):
    today = timezone.localdate()
    if day > today:
        raise RepairRefused(
            gettext("%(what)s %(date)s belum terjadi (hari ini %(today)s).")
            % {"what": what, "date": format_day(day), "today": format_day(today)}
        )
    last = (
        DeviceStatusChange.objects.filter(device=device)
        .order_by("-effective_on", "-id")
        .values_list("effective_on", "event")
        .first()
    )
    # The latest of these is the floor; the message says which one it is.
    serial = {"serial": device.serial}
    floors = [(device.commissioned_on, gettext("alat %(serial)s mulai beroperasi") % serial)]
    last_event = gettext("kejadian terakhir alat %(serial)s") % serial
    if last:
        event = f": {str(RepairEvent(last[1]).label).lower()}" if last[1] else ""
        floors.append((last[0], last_event + event))
    if not_before:
        floors.append((not_before, last_event))
    floor, reason = max(floors, key=lambda f: f[0])
    if day < floor:
        raise RepairRefused(
            gettext("%(what)s %(date)s tidak boleh sebelum %(floor)s (%(reason)s).")
            % {"what": what, "date": format_day(day), "floor": format_day(floor), "reason": reason}
        )
    # A step inside an approved month would change which days the station owed a report.
    regency = regency_code(device.sub_district_id)
    if lock := period_locks([(regency, day)]).get((regency, month_start(day))):
        raise RepairRefused(
            gettext("%(what)s %(date)s: %(lock)s")
            % {"what": what, "date": format_day(day), "lock": lock.message}
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
    _check_transition(device, event)
    _allowed_from, to = TRANSITIONS[event]
    change = DeviceStatusChange(
        device=device,
        status=to,
        effective_on=day,
        event=event,
        repair=repair,
        note=note.strip(),
        changed_by=_who(user),
    )
    _full_clean(change)
    device.status = to
    device.save(update_fields=["status"])
    change.save()
    return change


def _open_repair(device: RecordingDevice) -> Repair:
    repair = Repair.objects.select_for_update().filter(device=device, closed_on=None).first()
    if repair is None:
        raise RepairRefused(_no_open_repair(device))
    return repair


@transaction.atomic
def repair_report_fault(*, device: RecordingDevice, reported_on: dt.date, symptom: str, user):
    """The device broke on `reported_on`: it is down from that day on."""
    device = _locked(device)
    _check_transition(device, RepairEvent.FAULT_REPORTED)
    symptom = symptom.strip()
    if not symptom:
        raise RepairRefused(
            gettext("Tuliskan gejala kerusakannya, mis. “kamera tidak terdeteksi”.")
        )
    _check_day(device, reported_on, not_before=None, what=gettext("Tanggal rusak"))
    repair = Repair(device=device, reported_on=reported_on, symptom=symptom, reported_by=_who(user))
    _full_clean(repair)
    repair.save()
    # The timeline's note repeats the symptom, shortened to fit when it is long.
    note = Truncator(symptom).chars(DeviceStatusChange._meta.get_field("note").max_length)
    _move(device, RepairEvent.FAULT_REPORTED, reported_on, user=user, repair=repair, note=note)
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
    _check_transition(device, RepairEvent.SHIPPED)
    if vendor is None:
        raise RepairRefused(gettext("Pilih vendor tujuan pengiriman."))
    repair = _open_repair(device)
    _check_day(device, shipped_on, not_before=repair.reported_on, what=gettext("Tanggal kirim"))
    repair.shipped_on, repair.vendor = shipped_on, vendor
    repair.vendor_reference = vendor_reference.strip()
    _full_clean(repair)
    _move(device, RepairEvent.SHIPPED, shipped_on, user=user, repair=repair, note=note)
    repair.save(update_fields=["shipped_on", "vendor", "vendor_reference"])
    return repair


@transaction.atomic
def repairs_ship(
    *,
    devices: list[RecordingDevice],
    shipped_on: dt.date,
    vendor: Vendor,
    vendor_reference: str = "",
    user,
    note: str = "",
) -> list[Repair]:
    """Ship several broken devices in one go: all of them, or none if one may not go. One
    vendor reference (a waybill or ticket) serves the whole batch."""
    return [
        repair_ship(
            device=d,
            shipped_on=shipped_on,
            vendor=vendor,
            vendor_reference=vendor_reference,
            user=user,
            note=note,
        )
        for d in sorted(devices, key=lambda d: d.pk)
    ]


def _close(device, repair, event, day, *, user, note, what) -> Repair:
    _check_day(device, day, not_before=repair.shipped_on or repair.reported_on, what=what)
    repair.closed_on, repair.outcome = day, event
    _full_clean(repair)
    _move(device, event, day, user=user, repair=repair, note=note)
    repair.save(update_fields=["closed_on", "outcome"])
    return repair


@transaction.atomic
def repair_fix_on_site(*, device: RecordingDevice, fixed_on: dt.date, user, note: str = ""):
    """Fixed where it stands, without going to the vendor: working again from `fixed_on`."""
    device = _locked(device)
    _check_transition(device, RepairEvent.FIXED_ON_SITE)
    repair = _open_repair(device)
    return _close(
        device,
        repair,
        RepairEvent.FIXED_ON_SITE,
        fixed_on,
        user=user,
        note=note,
        what=gettext("Tanggal perbaikan"),
    )


@transaction.atomic
def repair_return(*, device: RecordingDevice, returned_on: dt.date, user, note: str = ""):
    """Back from the vendor and recording again from `returned_on`."""
    device = _locked(device)
    _check_transition(device, RepairEvent.RETURNED)
    repair = _open_repair(device)
    return _close(
        device,
        repair,
        RepairEvent.RETURNED,
        returned_on,
        user=user,
        note=note,
        what=gettext("Tanggal kembali"),
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
    _check_transition(device, RepairEvent.REPLACED)
    repair = _open_repair(device)
    new_serial = new_serial.strip()
    if not new_serial:
        raise RepairRefused(gettext("Isi nomor seri alat pengganti."))
    if RecordingDevice.objects.filter(serial=new_serial).exists():
        raise RepairRefused(
            gettext("Nomor seri %(serial)s sudah terdaftar untuk alat lain.")
            % {"serial": new_serial}
        )
    what = gettext("Tanggal ganti")
    _close(device, repair, RepairEvent.REPLACED, replaced_on, user=user, note=note, what=what)
    replacement = RecordingDevice(
        serial=new_serial,
        sub_district_id=device.sub_district_id,
        label=device.label,
        daily_capacity=device.daily_capacity,
        commissioned_on=replaced_on,
        status=DeviceStatus.OPERATIONAL,
        replaces=device,
    )
    _full_clean(replacement)
    replacement.save()
    repair.replacement = replacement
    repair.save(update_fields=["replacement"])
    return replacement


# Reads over rows already fetched (a device's timeline, a page's open repairs).


@dataclass(frozen=True)
class DownSpell:
    """A stretch of days a device could not record: from the day it broke to the day it was
    back or replaced (exclusive), or to the day asked about while it is still down."""

    start: dt.date
    end: dt.date | None  # first day working again (or retired); None while still down
    days: int


def down_spells(changes: Iterable[tuple[str, dt.date]], *, as_of: dt.date) -> list[DownSpell]:
    """The down spells of one device from its (status, effective_on) changes, in order.

    Changes after `as_of` are ignored, so an open spell counts to `as_of`; broken → at the
    vendor is one spell.
    """
    spells, start = [], None
    for status, day in changes:
        if day > as_of:
            break
        down = status in DeviceStatus.down()
        if down and start is None:
            start = day
        elif not down and start is not None:
            spells.append(DownSpell(start, day, (day - start).days))
            start = None
    if start is not None:
        spells.append(DownSpell(start, None, (as_of - start).days))
    return spells


def repair_days_down(repair: Repair, *, as_of: dt.date) -> int:
    """Days the repair's device was out of service: reported → closed (exclusive), or → as_of."""
    end = repair.closed_on if repair.closed_on and repair.closed_on <= as_of else as_of
    return max((end - repair.reported_on).days, 0)


def repair_due_on(repair: Repair) -> dt.date | None:
    """The last day the vendor agreed to have it back by (shipped + agreed repair days)."""
    if repair.shipped_on is None or repair.vendor is None:
        return None
    return repair.shipped_on + dt.timedelta(days=repair.vendor.agreed_repair_days)


def repair_days_overdue(repair: Repair, *, as_of: dt.date) -> int:
    """Days past the vendor's agreed repair time on `as_of` (0 when not overdue or closed).

    The same rule as `repair_selectors.overdue_condition`: at the vendor for more days than
    agreed, counted from the shipping day.
    """
    due_on = repair_due_on(repair)
    if due_on is None or (repair.closed_on and repair.closed_on <= as_of):
        return 0
    return max((as_of - due_on).days, 0)
