"""The repair steps of one device (report a fault, ship, return, fix on site, replace) and the
repair section of its page.

Each step is a small form on its own page, opened from a button on the device page: GET shows
it, POST hands it to the service in `repairs.py`, which alone decides whether the step may
happen. The device is looked up through the user's scope first (404 for outsiders, whatever they
may do elsewhere), then the permission is checked (403).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.days import format_day
from districts.selectors import region_crumbs, user_scope
from recording.choices import RepairEvent
from recording.forms import (
    RepairFixForm,
    RepairReplaceForm,
    RepairReportForm,
    RepairReturnForm,
    RepairShipForm,
)
from recording.models import RecordingDevice, Repair
from recording.selectors.devices import device_status_changes
from recording.selectors.repairs import device_has_open_repair
from recording.services import repairs
from recording.views.access import device_for_user

REPORT = "recording.add_repair"  # operators: report a fault, fix on site, return from vendor
MANAGE = "recording.change_repair"  # admins: ship to the vendor, replace


def _report(device, data, user) -> str:
    repairs.repair_report_fault(
        device=device, reported_on=data["reported_on"], symptom=data["symptom"], user=user
    )
    return gettext("Kerusakan alat %(serial)s dilaporkan: tidak beroperasi sejak %(day)s.") % {
        "serial": device.serial,
        "day": format_day(data["reported_on"]),
    }


def _ship(device, data, user) -> str:
    repairs.repair_ship(
        device=device,
        shipped_on=data["shipped_on"],
        vendor=data["vendor"],
        vendor_reference=data["vendor_reference"],
        note=data["note"],
        user=user,
    )
    return gettext("Alat %(serial)s tercatat dikirim ke %(vendor)s pada %(day)s.") % {
        "serial": device.serial,
        "vendor": data["vendor"].name,
        "day": format_day(data["shipped_on"]),
    }


def _return(device, data, user) -> str:
    repairs.repair_return(
        device=device, returned_on=data["returned_on"], note=data["note"], user=user
    )
    return gettext("Alat %(serial)s kembali dari vendor dan beroperasi lagi sejak %(day)s.") % {
        "serial": device.serial,
        "day": format_day(data["returned_on"]),
    }


def _fix(device, data, user) -> str:
    repairs.repair_fix_on_site(
        device=device, fixed_on=data["fixed_on"], note=data["note"], user=user
    )
    return gettext("Alat %(serial)s diperbaiki di tempat dan beroperasi lagi sejak %(day)s.") % {
        "serial": device.serial,
        "day": format_day(data["fixed_on"]),
    }


def _replace(device, data, user) -> str:
    new = repairs.repair_replace(
        device=device,
        replaced_on=data["replaced_on"],
        new_serial=data["new_serial"],
        note=data["note"],
        user=user,
    )
    return gettext(
        "Alat %(serial)s diganti dengan alat baru %(new)s mulai %(day)s; alat lama dipensiunkan."
    ) % {"serial": device.serial, "new": new.serial, "day": format_day(data["replaced_on"])}


@dataclass(frozen=True)
class Step:
    """One repair step as the device page offers it."""

    url_name: str
    path: str  # the step's address under the device's: /alat/<serial>/<path>/
    event: str
    permission: str
    title: Promise
    form_class: type[forms.Form]
    day_field: str
    run: Callable[[RecordingDevice, dict, object], str]  # calls the service, returns the message


STEPS = (
    Step(
        "device_report_fault",
        "rusak",
        RepairEvent.FAULT_REPORTED,
        REPORT,
        _("Laporkan kerusakan"),
        RepairReportForm,
        "reported_on",
        _report,
    ),
    Step(
        "device_ship",
        "kirim",
        RepairEvent.SHIPPED,
        MANAGE,
        _("Kirim ke vendor"),
        RepairShipForm,
        "shipped_on",
        _ship,
    ),
    Step(
        "device_return",
        "kembali",
        RepairEvent.RETURNED,
        REPORT,
        _("Kembali dari vendor"),
        RepairReturnForm,
        "returned_on",
        _return,
    ),
    Step(
        "device_fix",
        "perbaiki",
        RepairEvent.FIXED_ON_SITE,
        REPORT,
        _("Diperbaiki di tempat"),
        RepairFixForm,
        "fixed_on",
        _fix,
    ),
    Step(
        "device_replace",
        "ganti",
        RepairEvent.REPLACED,
        MANAGE,
        _("Ganti dengan alat baru"),
        RepairReplaceForm,
        "replaced_on",
        _replace,
    ),
)
STEP_BY_URL = {step.url_name: step for step in STEPS}


@login_required
@require_http_methods(["GET", "POST"])
def step_form(request, serial: str, url_name: str):
    """Any repair step's page (`url_name` says which, from the URL pattern)."""
    step = STEP_BY_URL[url_name]
    scope = user_scope(request.user)
    device = device_for_user(request.user, serial, scope=scope, permission=step.permission)
    today = timezone.localdate()
    context = {
        "device": device,
        "step": step,
        "refusal": None,
        "crumbs": region_crumbs(scope, device.sub_district),
    }
    status = 200
    if request.method == "POST":
        form = step.form_class(request.POST)
        if form.is_valid():
            try:
                message = step.run(device, form.cleaned_data, request.user)
            except ValidationError as refused:  # RepairRefused, or a model rule it wraps
                form.add_error(None, refused)
            else:
                messages.success(request, message)
                return redirect(device)
        status = 400
    else:
        form = step.form_class(initial={step.day_field: today})
        # Say up front when the device is not in a status this step starts from.
        context["refusal"] = repairs.repair_refusal(
            device, step.event, has_open_repair=device_has_open_repair(device)
        )
    form.fields[step.day_field].widget.attrs["max"] = today.isoformat()
    context["form"] = form
    if step.form_class is RepairShipForm:
        context["no_vendor"] = not form.fields["vendor"].queryset.exists()
    return render(request, "recording/device_action.html", context, status=status)


# The repair section of the device page.


@dataclass(frozen=True)
class RepairLine:
    """A repair as the device page shows it on the page's day."""

    repair: Repair
    days_down: int
    due_on: dt.date | None
    days_overdue: int


def _repair_line(repair: Repair, as_of: dt.date) -> RepairLine:
    return RepairLine(
        repair=repair,
        days_down=repairs.repair_days_down(repair, as_of=as_of),
        due_on=repairs.repair_due_on(repair),
        days_overdue=repairs.repair_days_overdue(repair, as_of=as_of),
    )


def device_repairs_context(request, device: RecordingDevice, *, as_of: dt.date) -> dict:
    """The device page's "Perbaikan" section, as of the page's day, in one query.

    Repairs are read through the status timeline (every step of a repair dates a change), so
    the timeline, the repairs, their vendors and who did what come in the same rows.
    """
    changes = list(device_status_changes(device))
    by_id = {c.repair_id: c.repair for c in changes if c.repair_id}
    device_repairs = sorted(by_id.values(), key=lambda r: (r.reported_on, r.pk), reverse=True)
    spells = repairs.down_spells(((c.status, c.effective_on) for c in changes), as_of=as_of)
    open_on_day = next(
        (
            r
            for r in device_repairs
            if r.reported_on <= as_of and (r.closed_on is None or r.closed_on > as_of)
        ),
        None,
    )
    has_open_repair = any(r.closed_on is None for r in device_repairs)
    actions = [
        (step.title, reverse(step.url_name, kwargs={"serial": device.serial}))
        for step in STEPS
        if repairs.repair_refusal(device, step.event, has_open_repair=has_open_repair) is None
        and request.user.has_perm(step.permission)
    ]
    return {
        "status_changes": changes[::-1],
        "repairs": [_repair_line(r, as_of) for r in device_repairs],
        "open_repair": _repair_line(open_on_day, as_of) if open_on_day else None,
        "down_spells": spells,
        "days_out_of_service": sum(s.days for s in spells),
        "repair_actions": actions,
        "replaces": device.replaces,
        # Reverse one-to-one: selected with the device, and missing when nothing replaced it.
        "replaced_by": getattr(device, "replaced_by", None),
    }
