"""The daily entry form: one day's counts for every device of an area, saved all-or-nothing."""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.selectors import regencies_all, region_ancestors, user_scope
from recording.choices import DeviceStatus
from recording.forms import DailyEntryForm, EntryDayForm, Resolve, entry_posted_device_pks
from recording.models import DailyCount, EntrySource, RecordingDevice
from recording.selectors.counts import daily_counts_of
from recording.selectors.devices import DeviceState, device_states, devices_in_service
from recording.services.counts import (
    Column,
    CountCheck,
    CountsRejected,
    Existing,
    daily_counts_check,
    daily_counts_save,
)
from recording.validators import NOTE_MAX_LENGTH
from recording.views.access import region_for_user

ONE_DAY = dt.timedelta(days=1)
# The form's fields of one row, in the order their errors are listed.
ROW_FIELDS = ("count", "note", "version", "conflict", "resolve")


@dataclass
class RowError:
    """A reason a row was refused, and the input it is about: the error summary links there."""

    message: str
    # "count", "note" or "resolve"; what has no input of its own (a stale version, a retired
    # device, a day too early) is fixed in the count, so it points there.
    field: str = "count"

    def __str__(self) -> str:
        return self.message


@dataclass
class EntryRow:
    """What one device's line of the form shows: stored values, what was typed, and problems."""

    device: RecordingDevice
    yesterday: DailyCount | None = None
    stored: DailyCount | None = None
    count: str = ""
    note: str = ""
    version: str = "0"
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The stored value someone else saved after the form was opened (service's view of it).
    conflict: Existing | None = None
    conflict_version: str = ""
    resolve: str = ""
    # Its status on the day when it was not working (broken, at the vendor, retired).
    state: DeviceState | None = None

    @property
    def pk(self) -> str:
        return str(self.device.pk)

    @property
    def invalid_fields(self) -> set[str]:
        """The inputs to mark `aria-invalid`."""
        return {error.field for error in self.errors}

    @property
    def status_on_day(self) -> str:
        return self.state.status if self.state else DeviceStatus.OPERATIONAL

    @property
    def status_label(self) -> str:
        return DeviceStatus(self.status_on_day).label

    @property
    def expected_to_report(self) -> bool:
        return DeviceStatus.expected_to_report(self.status_on_day)

    @property
    def in_conflict(self) -> bool:
        return bool(self.conflict_version)

    @property
    def theirs(self) -> Existing | None:
        """The value stored now, to show next to the operator's in a conflict."""
        if self.conflict or not self.stored:
            return self.conflict
        stored = self.stored
        who = stored.entered_by.get_username() if stored.entered_by else ""
        return Existing(
            id=stored.pk,
            count=stored.count,
            note=stored.note,
            version=stored.version,
            entered_by=who,
            entered_at=stored.entered_at,
        )


@dataclass
class SubDistrictGroup:
    sub_district: object
    rows: list[EntryRow]


def _entry_url(*, day: dt.date, area: str = "") -> str:
    params = {"area": area} if area else {}
    params["date"] = day.isoformat()
    return f"{reverse('entry')}?{urlencode(params)}"


def _rows(devices, day: dt.date) -> list[EntryRow]:
    """One row per device with its counts of `day` and the day before, and its status on the
    day, in two queries."""
    states = device_states(code="", as_of=day, devices=devices.values("pk"))
    rows = {device.pk: EntryRow(device=device, state=states.get(device.pk)) for device in devices}
    for count in daily_counts_of(devices, [day - ONE_DAY, day]):
        if count.date == day:
            rows[count.device_id].stored = count
        else:
            rows[count.device_id].yesterday = count
    return list(rows.values())


def _prefill(rows: list[EntryRow]):
    for row in rows:
        if row.stored:
            row.count, row.note, row.version = (
                str(row.stored.count),
                row.stored.note,
                str(row.stored.version),
            )


def _keep_typed(rows: list[EntryRow], form: DailyEntryForm):
    """Show what was posted, so a refused form loses nothing the operator typed."""
    for row in rows:
        data = form.data
        row.count = data.get(f"count-{row.pk}", "")
        row.note = data.get(f"note-{row.pk}", "")
        row.version = data.get(f"version-{row.pk}", "0")
        row.conflict_version = data.get(f"conflict-{row.pk}", "")
        row.resolve = data.get(f"resolve-{row.pk}", "")
        row.errors = [
            RowError(str(message), name if name in ("note", "resolve") else "count")
            for name in ROW_FIELDS
            for message in form.errors.get(f"{name}-{row.pk}", [])
        ]


def _show_check(rows: list[EntryRow], check: CountCheck):
    """Put the service's errors, warnings and conflicts back on the rows they are about."""
    by_line = dict(enumerate(rows, start=1))
    for problem in check.errors:
        field_name = "note" if problem.column == Column.NOTE else "count"
        by_line[problem.line].errors.append(RowError(problem.message, field_name))
    for problem in check.warnings:
        by_line[problem.line].warnings.append(problem.message)
    for count_row in check.conflicts:
        row = by_line[count_row.line]
        row.conflict = count_row.existing
        # Keeping "mine" now overwrites knowingly the version just shown; a newer one conflicts.
        stored_version = str(count_row.existing.version if count_row.existing else 0)
        row.version = row.conflict_version = stored_version
        row.resolve = ""


def _submit(form: DailyEntryForm, *, user) -> tuple[bool, CountCheck]:
    """Save every row or none; (False, the check to show) when the form may not be saved."""
    if not form.is_valid():
        # Some rows cannot even be read: check the others too, to show every problem at once.
        return False, daily_counts_check(rows=form.count_rows())
    try:
        check = daily_counts_save(
            rows=form.count_rows(),
            user=user,
            source=EntrySource.FORM,
            confirm=form.cleaned_data["confirm"],
            confirmed_warnings=form.cleaned_data["confirmed_warnings"],
        )
    except CountsRejected as refused:
        return False, refused.check
    return True, check


def _saved_message(check: CountCheck) -> str:
    return _(
        "Tersimpan: %(created)d baru, %(updated)d diperbarui, %(unchanged)d tidak berubah."
    ) % {"created": check.created, "updated": check.updated, "unchanged": check.unchanged}


def _area_picker(request, *, day: dt.date, form: EntryDayForm):
    """An admin sees every device in the country: ask which regency first."""
    regencies = regencies_all()
    return render(
        request,
        "recording/entry.html",
        {"day_form": form, "day": day, "pick_area": True, "regencies": regencies},
    )


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
def entry(request):
    scope = user_scope(request.user)
    if not scope.everywhere and not scope.codes:
        return render(request, "recording/no_area.html", status=403)
    day_form = EntryDayForm(request.GET)
    if not day_form.is_valid():
        return render(request, "recording/entry.html", {"day_form": day_form}, status=400)
    day, code = day_form.cleaned_data["date"], day_form.cleaned_data["area"]
    area = region_for_user(request.user, code, scope=scope) if code else None
    if area is None and scope.everywhere:
        return _area_picker(request, day=day, form=day_form)

    posted: set[int] = set()
    if request.method == "POST":
        posted = entry_posted_device_pks(request.POST)
        if posted is None:
            raise Http404(_("Formulir menyebut alat yang tidak dikenal."))
    devices = devices_in_service(scope, area=code, day=day, also=posted)
    rows = _rows(devices, day)
    if posted - {row.device.pk for row in rows}:
        # Outside the user's scope, outside this area, or no such device: write nothing.
        raise Http404(_("Formulir menyebut alat di luar area Anda."))

    form = DailyEntryForm(
        request.POST if request.method == "POST" else None,
        devices=[row.device for row in rows],
        date=day,
    )
    needs_confirmation, warnings_digest, warnings_changed = False, "", False
    if form.is_bound:
        saved, check = _submit(form, user=request.user)
        if saved:
            messages.success(request, _saved_message(check))
            return redirect(_entry_url(day=day, area=code))
        _keep_typed(rows, form)
        _show_check(rows, check)
        needs_confirmation, warnings_digest = bool(check.warnings), check.warnings_digest
        # Ticked for the warnings shown before, but the counts now raise others.
        warnings_changed = (
            needs_confirmation
            and form.cleaned_data.get("confirm", False)
            and form.cleaned_data.get("confirmed_warnings") != warnings_digest
        )
    else:
        _prefill(rows)

    return _render_form(
        request,
        rows=rows,
        scope=scope,
        area=area,
        day=day,
        day_form=day_form,
        needs_confirmation=needs_confirmation,
        warnings_digest=warnings_digest,
        warnings_changed=warnings_changed,
    )


def _render_form(
    request,
    *,
    rows,
    scope,
    area,
    day,
    day_form,
    needs_confirmation: bool,
    warnings_digest: str = "",
    warnings_changed: bool = False,
):
    code = area.code if area else ""
    groups = [
        SubDistrictGroup(sub_district=group_rows[0].device.sub_district, rows=group_rows)
        for _key, group in itertools.groupby(rows, key=lambda r: r.device.sub_district_id)
        for group_rows in [list(group)]
    ]
    # The dashboards' rule: a working station with no count for the day. Broken ones, those at
    # the vendor and devices posted after they were retired or before they started stay on the
    # form (their rows say why) but are not expected to report.
    not_reported = [
        row.device
        for row in rows
        if row.stored is None and row.expected_to_report and row.device.commissioned_on <= day
    ]
    crumbs = [
        (region, _entry_url(day=day, area=region.code) if scope.covers(region.code) else "")
        for region in (region_ancestors(area) if area else [])
    ]
    today = timezone.localdate()
    context = {
        "day_form": day_form,
        "day": day,
        "area": area,
        "crumbs": crumbs,
        "everywhere": scope.everywhere,
        "groups": groups,
        "rows": rows,
        "note_max_length": NOTE_MAX_LENGTH,
        # (row, message) pairs: the summaries at the top link each message to its row's input.
        "problems": [(row, error) for row in rows for error in row.errors],
        "conflicts": [row for row in rows if row.in_conflict],
        "warnings": [(row, message) for row in rows for message in row.warnings],
        "needs_confirmation": needs_confirmation,
        "warnings_digest": warnings_digest,
        "warnings_changed": warnings_changed,
        "not_reported": not_reported,
        "post_url": _entry_url(day=day, area=code),
        "all_areas_url": _entry_url(day=day),
        "previous_url": _entry_url(day=day - ONE_DAY, area=code),
        "next_url": _entry_url(day=day + ONE_DAY, area=code) if day < today else "",
        "today": today,
        "resolve_choices": Resolve.choices,
    }
    return render(request, "recording/entry.html", context)
