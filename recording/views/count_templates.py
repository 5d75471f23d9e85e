"""A count file to fill in: the user's own working devices for a day, as CSV or XLSX.

Operators copied the upload help's example and met "nomor seri tidak dikenal": the template
lists the serials they really have, so a file that starts from it is right by construction.
"""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from common.days import default_day
from common.downloads import csv_download, xlsx_table_download
from districts.selectors import user_scope
from recording.choices import DeviceStatus
from recording.forms import DayField
from recording.selectors.dashboards import device_states, devices_in_scope

# What the import reads, then two columns it ignores that tell the operator which device is which.
COLUMNS = ("date", "device", "count", "note", "kecamatan", "label")


class CountTemplateForm(forms.Form):
    date = DayField(label=_("Tanggal"), required=False)
    area = forms.CharField(required=False, max_length=8)
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")])

    def clean_date(self) -> dt.date:
        return self.cleaned_data["date"] or default_day()


def count_template_rows(
    *, user, day: dt.date, area: str = "", limit: int | None = None
) -> list[list]:
    """One empty line per device of the user's area that is expected to report on `day`:
    commissioned, not retired, working that day (the rule of "belum lapor"). `limit` looks at
    that many devices only (the help's example needs two, not a province's thousands)."""
    devices = (
        devices_in_scope(user_scope(user))
        .in_area(area)
        .filter(commissioned_on__lte=day)
        .exclude(status=DeviceStatus.RETIRED)
        .select_related("sub_district")
        .order_by("sub_district__code", "serial")
    )
    # A short list for a few devices, a subquery for a whole area (a province has thousands).
    if limit:
        devices = list(devices[:limit])
        among = [device.pk for device in devices]
    else:
        among = devices.values("pk")
    states = device_states(code="", as_of=day, devices=among)
    return [
        [day, device.serial, None, "", device.sub_district.name, device.label]
        for device in devices
        if device.pk not in states
    ]


def count_help_example(*, user, day: dt.date, size: int = 2) -> list[list]:
    """The upload help's example lines, on the user's own serials: copied as they are, they are
    read without "nomor seri tidak dikenal". Empty when the user's area has no device yet."""
    rows = count_template_rows(user=user, day=day, limit=20)[:size]
    # Both ways of writing the day, and a note, as the help's column list describes them.
    written_days = (day.isoformat(), day.strftime("%d/%m/%Y"))
    counts, notes = (118, 95), ("", "listrik padam 2 jam")
    return [
        [written_days[i % 2], row[1], counts[i % 2], notes[i % 2]] for i, row in enumerate(rows)
    ]


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
@require_safe
def count_template(request) -> HttpResponse:
    form = CountTemplateForm(request.GET)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return HttpResponseBadRequest(" ".join(problems), content_type="text/plain; charset=utf-8")
    day, area = form.cleaned_data["date"], form.cleaned_data["area"]
    scope = user_scope(request.user)
    if area and not scope.covers(area):
        return HttpResponseBadRequest(
            gettext("Wilayah %(code)s di luar area Anda.") % {"code": area},
            content_type="text/plain; charset=utf-8",
        )
    rows = count_template_rows(user=request.user, day=day, area=area)
    filename = f"jumlah-harian-{area or 'wilayah-saya'}-{day.isoformat()}"
    if form.cleaned_data["format"] == "csv":
        return csv_download(filename=f"{filename}.csv", header=COLUMNS, rows=rows)
    return xlsx_table_download(
        filename=f"{filename}.xlsx",
        sheet_title=gettext("Jumlah harian"),
        title=None,  # the import reads the first row as the column names
        labels={key: key for key in COLUMNS},
        rows=rows,
        wide={"kecamatan", "label"},
    )
