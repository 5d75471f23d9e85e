"""Reads about devices: which a user may see, which are in service on a day, and which were
down on a day (from the dated status timeline), plus a device's own timeline."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from districts.codes import area_q
from districts.selectors import UserScope
from recording.choices import DeviceStatus
from recording.models import DeviceStatusChange, RecordingDevice


@dataclass
class DeviceState:
    """A device whose status on the day was not operational, from the dated timeline."""

    device_id: int
    serial: str
    label: str
    sub_district_code: str
    sub_district_name: str
    capacity: int
    status: str
    since: dt.date  # first day of the current down (or retired) spell
    since_change_id: int  # the status change that began the spell


def device_states(*, code: str, as_of: dt.date, devices=None) -> dict[int, DeviceState]:
    """Devices in the area (and among `devices`, if given) that were broken, at the vendor or
    retired on `as_of`.

    One query over the status timeline (a few rows per device that ever failed); a device with
    no change on or before the day was operational.
    """
    changes = DeviceStatusChange.objects.filter(area_q(code, "device__sub_district__code"))
    if devices is not None:
        changes = changes.filter(device__in=devices)
    changes = (
        changes.filter(effective_on__lte=as_of, device__commissioned_on__lte=as_of)
        .order_by("device_id", "effective_on", "id")
        .values_list(
            "id",
            "device_id",
            "status",
            "effective_on",
            "device__serial",
            "device__label",
            "device__sub_district_id",
            "device__sub_district__name",
            "device__daily_capacity",
        )
    )
    states: dict[int, DeviceState] = {}
    for change_id, device_id, status, day, serial, label, sd_code, sd_name, capacity in changes:
        if status == DeviceStatus.OPERATIONAL:
            states.pop(device_id, None)
            continue
        current = states.get(device_id)
        # broken -> at_vendor is one spell of downtime; it started when it broke.
        same_spell = current and (current.status in DeviceStatus.down()) == (
            status in DeviceStatus.down()
        )
        since, since_change_id = (
            (current.since, current.since_change_id) if same_spell else (day, change_id)
        )
        states[device_id] = DeviceState(
            device_id, serial, label, sd_code, sd_name, capacity, status, since, since_change_id
        )
    return states


def devices_in_scope(scope: UserScope):
    """The devices a user may see and enter counts for (404 for anything else)."""
    return RecordingDevice.objects.filter(scope.filter_q()).select_related("sub_district__regency")


def devices_in_service(scope: UserScope, *, area: str, day: dt.date, also: set[int] = frozenset()):
    """Devices in the scope and `area` that are in service on `day` (commissioned, not
    retired), ordered by kecamatan and serial; `also` adds devices by pk whatever their state
    (a form that names one changed since it was opened)."""
    shown = Q(commissioned_on__lte=day) & ~Q(status=DeviceStatus.RETIRED)
    if also:
        shown |= Q(pk__in=also)
    return (
        devices_in_scope(scope).in_area(area).filter(shown).order_by("sub_district__code", "serial")
    )


def device_status_changes(device: RecordingDevice):
    """The device's status timeline, oldest first, with who changed it and the repair behind
    each step (one query)."""
    return (
        DeviceStatusChange.objects.filter(device=device)
        .select_related(
            "changed_by", "repair__vendor", "repair__reported_by", "repair__replacement"
        )
        .order_by("effective_on", "id")
    )
