"""The data-quality page of an area: what each check found over the last weeks, as a page or a
CSV (`&_export=csv`)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from common.downloads import csv_download, unknown_format_response
from districts.selectors import region_crumbs, user_scope
from recording.forms import AsOfForm
from recording.links import device_url, region_url
from recording.selectors.quality import QUALITY_DAYS, QualityCheck, period, quality_findings
from recording.views.access import region_for_user

# Lines shown per check on the page; the CSV holds them all.
SHOWN_PER_CHECK = 100
CSV_HEADER = [
    "check",
    "area_code",
    "area_name",
    "device",
    "date",
    "figure",
    "reference",
    "reason",
]


class QualityForm(AsOfForm):
    """`?as_of=YYYY-MM-DD&check=...` of the data-quality page; every check when none is named."""

    check = forms.ChoiceField(
        label=_("Pemeriksaan"),
        choices=[("", _("Semua pemeriksaan")), *QualityCheck.choices],
        required=False,
    )


@login_required
@require_safe
def quality(request):
    scope = user_scope(request.user)
    code = request.GET.get("area", scope.home_code)
    region_obj = region_for_user(request.user, code, scope=scope)
    export_format = request.GET.get("_export")
    if export_format not in (None, "csv"):
        return unknown_format_response(export_format)
    form = QualityForm(request.GET)
    context = {
        "region": region_obj,
        "code": code,
        "crumbs": region_crumbs(scope, region_obj),
        "form": form,
        "days": QUALITY_DAYS,
    }
    if not form.is_valid():
        return render(request, "recording/quality.html", context, status=400)
    as_of, check = form.cleaned_data["as_of"], form.cleaned_data["check"]
    findings = quality_findings(area=code, as_of=as_of)
    shown = {name: found for name, found in findings.items() if not check or name == check}
    if export_format == "csv":
        return csv_download(
            filename=f"mutu-data-{code or 'nasional'}-{as_of:%Y-%m-%d}.csv",
            header=CSV_HEADER,
            rows=(
                [
                    f.check,
                    f.area_code,
                    f.area_name,
                    f.serial,
                    f.day,
                    f.figure,
                    f.reference,
                    f.reason,
                ]
                for found in shown.values()
                for f in found
            ),
        )
    start, _end = period(as_of)
    context.update(
        {
            "as_of": as_of,
            "start": start,
            "check": check,
            "counts": [
                (name, QualityCheck(name).label, len(found)) for name, found in findings.items()
            ],
            "sections": [
                {
                    "check": name,
                    "label": QualityCheck(name).label,
                    "total": len(found),
                    "rows": [
                        (f, device_url(f.serial) if f.serial else "", region_url(f.area_code))
                        for f in found[:SHOWN_PER_CHECK]
                    ],
                }
                for name, found in shown.items()
            ],
            "shown_per_check": SHOWN_PER_CHECK,
            "dashboard_url": region_url(code),
        }
    )
    return render(request, "recording/quality.html", context)
