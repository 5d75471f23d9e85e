"""Open repairs list (with downloads), batch shipping to a vendor, and the vendor report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from common.downloads import unknown_format_response
from districts.selectors import user_scope
from recording.filters import OpenRepairFilterSet
from recording.forms import RepairsShipForm
from recording.models import Repair
from recording.selectors.devices import devices_in_scope
from recording.selectors.repairs import open_repairs as open_repairs_query
from recording.selectors.repairs import overdue_repairs, vendor_figures
from recording.services.repairs import RepairRefused, repair_days_overdue, repairs_ship
from recording.tables import repairs as repair_tables
from recording.tables.dashboards import PER_PAGE
from recording.tables.repairs import SHIP_FORM_ID, OpenRepairTable

EXPORT_FORMATS = {
    "csv": repair_tables.OPEN_REPAIRS_DOWNLOAD.csv_response,
    "xlsx": repair_tables.OPEN_REPAIRS_DOWNLOAD.xlsx_response,
}
VENDOR_EXPORT_FORMATS = {
    "csv": repair_tables.VENDOR_REPORT_DOWNLOAD.csv_response,
    "xlsx": repair_tables.VENDOR_REPORT_DOWNLOAD.xlsx_response,
}


@login_required
@permission_required("recording.view_repair", raise_exception=True)
@require_safe
def open_repairs(request):
    """Open repairs in the user's areas, filtered and sorted; `?_export=csv|xlsx` downloads."""
    export_format = request.GET.get("_export")
    if export_format is not None and export_format not in EXPORT_FORMATS:
        return unknown_format_response(export_format)
    today = timezone.localdate()
    scope = user_scope(request.user)
    filterset = OpenRepairFilterSet(
        request.GET, queryset=open_repairs_query(scope=scope, today=today), scope=scope
    )
    can_ship = request.user.has_perm("recording.change_repair")
    table = OpenRepairTable(filterset.qs, today=today, can_ship=can_ship)
    if export_format:
        RequestConfig(request, paginate=False).configure(table)
        return EXPORT_FORMATS[export_format](table.data.data, today=today)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "recording/repairs.html",
        {
            "filter": filterset,
            "table": table,
            "today": today,
            "can_ship": can_ship,
            "ship_form": RepairsShipForm(initial={"shipped_on": today}) if can_ship else None,
            "ship_form_id": SHIP_FORM_ID,
        },
    )


def _back_to_list(request):
    """The list again, with the filters and sort it was posted from."""
    query = QueryDict(request.POST.get("back", ""), mutable=True)
    query.pop("_export", None)
    url = reverse("repairs")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


@login_required
@permission_required("recording.change_repair", raise_exception=True)
@require_POST
def ship_batch(request):
    """Ship every ticked broken device to one vendor: all of them, or none if one may not go."""
    serials = sorted(set(request.POST.getlist("device")))
    devices = list(devices_in_scope(user_scope(request.user)).filter(serial__in=serials))
    if len(devices) != len(serials):
        raise Http404(gettext("Alat di luar area Anda."))
    if not devices:
        messages.error(request, gettext("Centang dulu alat rusak yang akan dikirim."))
        return _back_to_list(request)
    form = RepairsShipForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_list(request)

    vendor = form.cleaned_data["vendor"]
    try:
        repairs = repairs_ship(
            devices=devices,
            shipped_on=form.cleaned_data["shipped_on"],
            vendor=vendor,
            vendor_reference=form.cleaned_data["vendor_reference"],
            user=request.user,
        )
    except RepairRefused as refused:
        messages.error(
            request,
            " ".join([*refused.messages, gettext("Tidak ada alat yang dikirim.")]),
        )
        return _back_to_list(request)
    messages.success(
        request,
        gettext("%(count)s alat dikirim ke %(vendor)s.")
        % {"count": formats.number_format(len(repairs), force_grouping=True), "vendor": vendor},
    )
    return _back_to_list(request)


@login_required
@permission_required("recording.view_vendor", raise_exception=True)
@require_safe
def vendor_report(request):
    """Per vendor: repairs, turnaround and overdue repairs, over the user's areas;
    `?_export=csv|xlsx` downloads the per-vendor figures."""
    export_format = request.GET.get("_export")
    if export_format is not None and export_format not in VENDOR_EXPORT_FORMATS:
        return unknown_format_response(export_format)
    today = timezone.localdate()
    scope = user_scope(request.user)
    figures = vendor_figures(scope=scope, today=today)
    if export_format:
        return VENDOR_EXPORT_FORMATS[export_format](figures, today=today)
    late: dict[int, list[Repair]] = {}
    for repair in overdue_repairs(scope=scope, today=today):
        repair.days_late = repair_days_overdue(repair, as_of=today)
        late.setdefault(repair.vendor_id, []).append(repair)
    return render(
        request,
        "recording/vendor_report.html",
        {
            "today": today,
            "figures": figures,
            "overdue_sections": [(f, late[f.vendor.pk]) for f in figures if f.vendor.pk in late],
        },
    )
