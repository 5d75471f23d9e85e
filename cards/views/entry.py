"""The daily card report grid: a regency print office's six figures and its kecamatan's
received and handed out, for one day, saved all-or-nothing through `card_reports_save`."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cards.choices import FIGURE_COLUMNS, REGENCY_COLUMNS, SUB_DISTRICT_COLUMNS
from cards.forms import QUANTITY_MAX, figure_parse
from cards.models import CardReport
from cards.services.imports import COLUMNS as IMPORT_COLUMNS
from cards.services.reports import (
    WRITE_PERMISSION,
    CardReportsRejected,
    ReportCheck,
    ReportRow,
    card_reports_check,
    card_reports_save,
)
from cards.views.access import REGENCY, SUB_DISTRICT, area_for_page, area_picker
from common.downloads import fill_in_download, refused_download
from common.formatting import fmt_int
from districts.models import Regency, SubDistrict
from districts.selectors import user_scope
from recording.forms import CountTemplateForm, EntryDayForm

ONE_DAY = dt.timedelta(days=1)


@dataclass
class EntryLine:
    """One area's row of the grid: what is stored, what was typed, and what is wrong."""

    area: Regency | SubDistrict
    stored: CardReport | None = None
    values: dict[str, str] = field(default_factory=dict)
    version: str = "0"
    # (column, message); the column is the input the error summary links to.
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_regency(self) -> bool:
        return isinstance(self.area, Regency)

    @property
    def columns(self) -> tuple[str, ...]:
        return REGENCY_COLUMNS if self.is_regency else SUB_DISTRICT_COLUMNS

    @property
    def code(self) -> str:
        return self.area.code

    @property
    def cells(self) -> list[tuple[str, str, str, bool]]:
        """(column, label, value, invalid) of each input, in the grid's order."""
        invalid = {column for column, _message in self.errors}
        return [(c, _label(c), self.values.get(c, ""), c in invalid) for c in self.columns]


def _label(column: str) -> str:
    return CardReport._meta.get_field(column).verbose_name


def entry_url(*, day: dt.date, area: str = "") -> str:
    params = {"area": area} if area else {}
    params["date"] = day.isoformat()
    return f"{reverse('card_entry')}?{urlencode(params)}"


def _grid_areas(area) -> list[Regency | SubDistrict]:
    """The areas of the grid: the area, and for a regency each of its kecamatan, in code order
    (the print office's row first); one query."""
    if isinstance(area, Regency):
        return [area, *SubDistrict.objects.filter(regency=area).order_by("code")]
    return [area]


def _lines(area, day: dt.date) -> list[EntryLine]:
    """The grid's rows with the day's reports, in two queries."""
    lines = [EntryLine(area=a) for a in _grid_areas(area)]
    where = Q(regency=area) | Q(sub_district__regency=area)
    if not isinstance(area, Regency):
        where = Q(sub_district=area)
    by_code = {line.code: line for line in lines}
    for report in CardReport.objects.filter(where, date=day).select_related("entered_by"):
        by_code[report.area_code].stored = report
    return lines


def _prefill(lines: list[EntryLine]) -> None:
    for line in lines:
        if line.stored:
            line.version = str(line.stored.version)
            line.values = {
                column: "" if value is None else str(value)
                for column, value in line.stored.figures().items()
            }


def _read(lines: list[EntryLine], data, day: dt.date) -> list[ReportRow]:
    """The posted rows that say something (a figure, or a report to change), with every figure
    that cannot be read marked on its line."""
    rows = []
    for number, line in enumerate(lines, start=1):
        line.values = {c: data.get(f"{c}-{line.code}", "").strip() for c in line.columns}
        line.version = data.get(f"version-{line.code}", "0")
        figures = {}
        for column, typed in line.values.items():
            parsed = figure_parse(typed)
            if not typed:
                figures[column] = None
            elif parsed is not None and abs(parsed) <= QUANTITY_MAX:
                figures[column] = parsed
            else:
                line.errors.append(
                    (
                        column,
                        _("%(area)s: “%(value)s” bukan angka bulat 0 sampai %(max)s.")
                        % {"area": line.area.name, "value": typed, "max": fmt_int(QUANTITY_MAX)},
                    )
                )
        seen = int(line.version) if line.version.isdigit() else 0
        if any(value is not None for value in figures.values()) or seen:
            rows.append(
                ReportRow(line=number, area=line.area, date=day, figures=figures, seen_version=seen)
            )
    return rows


def _show_check(lines: list[EntryLine], check: ReportCheck) -> None:
    for problem in check.errors:
        line = lines[problem.line - 1]
        column = problem.column if problem.column in line.columns else line.columns[0]
        line.errors.append((column, problem.message))


def _submit(request, lines, day) -> ReportCheck | None:
    """Save the posted grid; the check to show when nothing was saved, None once saved."""
    rows = _read(lines, request.POST, day)
    if any(line.errors for line in lines):
        return card_reports_check(rows=rows, user=request.user)
    try:
        check = card_reports_save(rows=rows, user=request.user)
    except CardReportsRejected as refused:
        return refused.check
    messages.success(
        request,
        _("Tersimpan: %(created)d baru, %(updated)d diperbarui, %(unchanged)d tidak berubah.")
        % {"created": check.created, "updated": check.updated, "unchanged": check.unchanged},
    )
    return None


@login_required
@permission_required(WRITE_PERMISSION, raise_exception=True)
def card_entry(request):
    scope = user_scope(request.user)
    day_form = EntryDayForm(request.GET)
    if not day_form.is_valid():
        return render(request, "cards/entry.html", {"day_form": day_form}, status=400)
    day, code = day_form.cleaned_data["date"], day_form.cleaned_data["area"]
    area = area_for_page(request.user, code, scope=scope, levels=(REGENCY, SUB_DISTRICT))
    if area is None:
        return area_picker(
            request,
            scope=scope,
            title=_("Laporan kartu harian"),
            url_name="card_entry",
            extra=f"&date={day:%Y-%m-%d}",
        )
    lines = _lines(area, day)
    if request.method == "POST":
        check = _submit(request, lines, day)
        if check is None:
            return redirect(entry_url(day=day, area=area.code))
        _show_check(lines, check)
    else:
        _prefill(lines)
    today = timezone.localdate()
    context = {
        "day_form": day_form,
        "day": day,
        "today": today,
        "area": area,
        "lines": lines,
        "problems": [(line, column, message) for line in lines for column, message in line.errors],
        "post_url": entry_url(day=day, area=area.code),
        "previous_url": entry_url(day=day - ONE_DAY, area=area.code),
        "next_url": entry_url(day=day + ONE_DAY, area=area.code) if day < today else "",
    }
    return render(request, "cards/entry.html", context)


@login_required
@permission_required(WRITE_PERMISSION, raise_exception=True)
@require_GET
def card_template(request):
    """The card report file to fill in for a day: the upload's exact header and one blank line
    per area of the grid (started from it, a file has the right codes by construction)."""
    form = CountTemplateForm(request.GET)
    if not form.is_valid():
        return refused_download(e for errors in form.errors.values() for e in errors)
    day, code = form.cleaned_data["date"], form.cleaned_data["area"]
    scope = user_scope(request.user)
    area = area_for_page(request.user, code, scope=scope, levels=(REGENCY, SUB_DISTRICT))
    if area is None:
        return refused_download(_("Pilih kabupaten/kota atau kecamatan (area=…)."))
    rows = [[day, grid_area.code, *[None] * len(FIGURE_COLUMNS)] for grid_area in _grid_areas(area)]
    return fill_in_download(
        file_format=form.cleaned_data["format"],
        filename=f"laporan-kartu-{area.code}-{day.isoformat()}",
        sheet_title=_("Laporan kartu"),
        columns=IMPORT_COLUMNS,
        rows=rows,
    )
