from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from cards.ageing import waiting_and_handouts
from cards.selectors import card_figures, card_figures_by_child, card_series
from common.days import default_day
from common.downloads import unknown_format_response
from districts.codes import NATIONAL, region_level
from districts.selectors import region_crumbs, user_scope
from recording import charts, exports
from recording.coverage import Coverage, coverage_percent
from recording.forms import AsOfForm
from recording.selectors.counts import device_count_history, device_recent_counts, device_total
from recording.selectors.dashboards import (
    area_dashboard,
)
from recording.tables.dashboards import (
    PER_PAGE,
    AreaCoverageTable,
    DeviceCoverageTable,
    down_devices_html,
    progress_badge,
)
from recording.views.access import device_for_user, region_for_user
from recording.views.repairs import device_repairs_context


def _as_of(request):
    """The requested day, or the form carrying the error (the caller answers 400)."""
    form = AsOfForm(request.GET or None)
    if not request.GET.get("as_of"):
        day = default_day()
        return day, AsOfForm(initial={"as_of": day})
    if form.is_valid():
        return form.cleaned_data["as_of"], form
    return None, form


@login_required
@require_safe
def home(request):
    """Send each user to their own area."""
    scope = user_scope(request.user)
    if not scope.everywhere and not scope.codes:
        return render(request, "recording/no_area.html", status=403)
    return redirect("region", code=scope.home_code) if scope.home_code else redirect("national")


# What the children of each level are called (headings, chart titles).
CHILD_LABELS = {0: _("provinsi"), 1: _("kabupaten/kota"), 2: _("kecamatan"), 3: _("alat")}
# Down devices listed by name in the alert; the rest are counted (national pages can have many).
DOWN_LISTED = 30


@login_required
@require_safe
def region(request, code: str = NATIONAL):
    """The dashboard of an area as of a day, or its children rows as CSV/XLSX (`?_export=`)."""
    scope = user_scope(request.user)
    region_obj = region_for_user(request.user, code, scope=scope)
    as_of, form = _as_of(request)
    export_format = request.GET.get("_export")
    if export_format is not None and export_format not in exports.FORMATS:
        return unknown_format_response(export_format)
    level = region_level(code)
    context = {
        "region": region_obj,
        "code": code,
        "level": level,
        "crumbs": region_crumbs(scope, region_obj),
        "form": form,
        "as_of": as_of,
    }
    if as_of is None:
        return render(request, "recording/region.html", context, status=400)
    dashboard = area_dashboard(region=region_obj, code=code, as_of=as_of)
    cards = _card_context(dashboard, code=code, level=level, as_of=as_of)
    if export_format:
        return exports.export_response(
            dashboard,
            export_format=export_format,
            as_of=as_of,
            cards=cards["card_children"],
            card_total=cards["card_total"],
        )
    context.update(_dashboard_context(request, dashboard, level=level, as_of=as_of))
    context.update(cards)
    return render(request, "recording/region.html", context)


def _card_context(dashboard, *, code: str, level: int, as_of) -> dict:
    """The card journey's figures of the area and of each child area (in a fixed number of
    queries: three for the area, three grouped by child for the children)."""
    total = card_figures(area=code, as_of=as_of)
    areas = dashboard.children if level < 3 else []  # a kecamatan's children are devices
    children = card_figures_by_child(area=code, as_of=as_of, codes=[c.code for c in areas])
    return {
        "card_total": total,
        "card_children": children,
        "card_coverage": coverage_percent(total.handed_out, dashboard.total.eligible),
        "card_rows": [(c, children[c.code]) for c in areas],
        **waiting_and_handouts(area=code, as_of=as_of, children=areas),
    }


def _card_chart(dashboard, *, level: int):
    """The card journey over time, beside the recording chart's days (one query)."""
    start, end = charts.card_chart_period(dashboard)
    points = card_series(area=dashboard.total.code, start=start, end=end)
    return charts.card_journey_chart(dashboard, points, kecamatan=level == 3)


def _dashboard_context(request, dashboard, *, level: int, as_of) -> dict:
    total = dashboard.total
    today = timezone.localdate()
    if level == 3:
        table = DeviceCoverageTable(dashboard.children, as_of=as_of, today=today)
    else:
        table = AreaCoverageTable(dashboard.children, as_of=as_of)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    projected = total.projected_completion
    query = f"?as_of={as_of.isoformat()}&_export="
    return {
        "dashboard": dashboard,
        "overview": dashboard,
        "table": table,
        "child_label": CHILD_LABELS[level],
        "is_today": as_of == today,
        "stale_days": (as_of - total.last_report).days if dashboard.stale else 0,
        "progress_badge": progress_badge(total),
        "days_overdue": -total.days_left if total.days_left and total.days_left < 0 else 0,
        "projected_late_days": (
            (projected - total.deadline).days
            if projected and total.deadline and projected > total.deadline
            else 0
        ),
        "down_devices_html": down_devices_html(dashboard.down_devices[:DOWN_LISTED], as_of=as_of),
        "down_more": max(len(dashboard.down_devices) - DOWN_LISTED, 0),
        "down_children": [
            c for c in dashboard.children if isinstance(c, Coverage) and c.no_working_device
        ],
        "csv_url": f"{query}csv",
        "xlsx_url": f"{query}xlsx",
        "charts": {
            "cumulative": charts.cumulative_chart(dashboard),
            "daily": charts.daily_chart(dashboard),
            "children": (
                charts.children_chart(dashboard, child_label=CHILD_LABELS[level])
                if level < 3
                else ""
            ),
            "cards": _card_chart(dashboard, level=level),
        },
    }


@login_required
@require_safe
def device(request, serial: str):
    scope = user_scope(request.user)
    device_obj = device_for_user(
        request.user,
        serial,
        scope=scope,
        related=("sub_district__regency__province", "replaces", "replaced_by"),
    )
    as_of, form = _as_of(request)
    context = {
        "device": device_obj,
        "form": form,
        "as_of": as_of,
        "crumbs": region_crumbs(scope, device_obj.sub_district),
    }
    if as_of is None:
        return render(request, "recording/device.html", context, status=400)
    context["totals"] = device_total(device=device_obj, as_of=as_of)
    context["recent"] = device_recent_counts(device=device_obj, as_of=as_of).select_related(
        "created_by", "entered_by"
    )
    # Every change of a count (old -> new, who, via form or upload), newest first.
    context["history_limit"] = 50
    context["history"] = device_count_history(device=device_obj, limit=context["history_limit"])
    context.update(device_repairs_context(request, device_obj, as_of=as_of))
    return render(request, "recording/device.html", context)


@require_safe
def data_sources(request):
    return render(request, "recording/data_sources.html")
