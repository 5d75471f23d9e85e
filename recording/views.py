from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from districts.selectors import (
    NATIONAL,
    region_ancestors,
    region_for_user,
    region_level,
    user_scope,
)

from .forms import AsOfForm
from .models import DailyCountRevision, RecordingDevice
from .selectors import (
    area_dashboard,
    device_recent_counts,
    device_total,
)


def _as_of(request):
    """The requested day, or the form carrying the error (the caller answers 400)."""
    form = AsOfForm(request.GET or None)
    if not request.GET.get("as_of"):
        return timezone.localdate(), AsOfForm(initial={"as_of": timezone.localdate()})
    if form.is_valid():
        return form.cleaned_data["as_of"], form
    return None, form


@login_required
def home(request):
    """Send each user to their own area."""
    scope = user_scope(request.user)
    if not scope.everywhere and not scope.codes:
        return render(request, "recording/no_area.html", status=403)
    return redirect("region", code=scope.home_code) if scope.home_code else redirect("national")


@login_required
def region(request, code: str = NATIONAL):
    region_obj = region_for_user(request.user, code)
    as_of, form = _as_of(request)
    context = {
        "region": region_obj,
        "code": code,
        "level": region_level(code),
        "ancestors": region_ancestors(region_obj) if region_obj else [],
        "form": form,
        "as_of": as_of,
    }
    if as_of is None:
        return render(request, "recording/region.html", context, status=400)
    context["overview"] = area_dashboard(region=region_obj, code=code, as_of=as_of)
    return render(request, "recording/region.html", context)


@login_required
def device(request, serial: str):
    device_obj = get_object_or_404(
        RecordingDevice.objects.select_related("sub_district__regency__province"), serial=serial
    )
    if not user_scope(request.user).covers(device_obj.sub_district_id):
        raise Http404("Alat di luar area Anda.")
    as_of, form = _as_of(request)
    context = {"device": device_obj, "form": form, "as_of": as_of}
    if as_of is None:
        return render(request, "recording/device.html", context, status=400)
    context["totals"] = device_total(device=device_obj, as_of=as_of)
    context["recent"] = device_recent_counts(device=device_obj, as_of=as_of).select_related(
        "created_by", "entered_by"
    )
    # Every change of a count (old -> new, who, via form or upload), newest first.
    context["history_limit"] = 50
    context["history"] = (
        DailyCountRevision.objects.filter(daily_count__device=device_obj)
        .select_related("daily_count", "changed_by")
        .order_by("-changed_at", "-id")[: context["history_limit"]]
    )
    return render(request, "recording/device.html", context)


def data_sources(request):
    return render(request, "recording/data_sources.html")
