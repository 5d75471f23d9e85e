"""Hand-out events of a regency or kecamatan: the list (a planned hand-out with no day shows
"menunggu jadwal"), a form to schedule one, and the steps held and postponed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cards.forms import HandoutHoldForm, HandoutPostponeForm, HandoutScheduleForm
from cards.models import HandoutEvent
from cards.services.handouts import (
    handout_event_hold,
    handout_event_postpone,
    handout_event_schedule,
)
from cards.views.access import REGENCY, SUB_DISTRICT, area_for_page, area_picker
from districts.codes import area_q, regency_code
from districts.models import Regency, SubDistrict
from districts.selectors import user_scope

ADD_PERMISSION = "cards.add_handoutevent"
CHANGE_PERMISSION = "cards.change_handoutevent"


def _list_url(code: str) -> str:
    return f"{reverse('handout_events')}?area={code}"


@login_required
@permission_required("cards.view_handoutevent", raise_exception=True)
def handout_events(request):
    scope = user_scope(request.user)
    area = area_for_page(
        request.user, request.GET.get("area", ""), scope=scope, levels=(REGENCY, SUB_DISTRICT)
    )
    if area is None:
        return area_picker(
            request, scope=scope, title=_("Pembagian kartu"), url_name="handout_events"
        )
    if isinstance(area, Regency):
        sub_districts = list(SubDistrict.objects.filter(regency=area).order_by("code"))
    else:
        sub_districts = [area]
    form = None
    if request.method == "POST":
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied(_("Anda tidak berwenang menjadwalkan pembagian kartu."))
        form = HandoutScheduleForm(request.POST, sub_districts=sub_districts)
        if form.is_valid():
            data = form.cleaned_data
            by_code = {sub_district.code: sub_district for sub_district in sub_districts}
            try:
                handout_event_schedule(
                    sub_district=by_code[data.pop("sub_district")], user=request.user, **data
                )
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, _("Jadwal pembagian kartu dicatat."))
                return redirect(_list_url(area.code))
    elif request.user.has_perm(ADD_PERMISSION):
        form = HandoutScheduleForm(sub_districts=sub_districts)
    events = (
        HandoutEvent.objects.filter(area_q(area.code))
        .select_related("sub_district")
        .order_by("status", "planned_on", "id")
    )
    context = {
        "area": area,
        "events": events,
        "form": form,
        "may_change": request.user.has_perm(CHANGE_PERMISSION),
        "hold_form": HandoutHoldForm(),
        "postpone_form": HandoutPostponeForm(),
    }
    return render(request, "cards/handouts.html", context)


@login_required
@require_POST
@permission_required(CHANGE_PERMISSION, raise_exception=True)
def handout_event_step(request, pk: int):
    """Mark an event held (with its day) or postponed (with a reason)."""
    event = HandoutEvent.objects.filter(pk=pk).first()
    if event is None or not user_scope(request.user).covers(event.sub_district_id):
        raise Http404(_("Jadwal pembagian tidak ditemukan di area Anda."))
    # Back to the list the step was taken from: the kecamatan's or its regency's.
    asked = request.POST.get("back", "")
    back = _list_url(
        asked
        if asked in (event.sub_district_id, regency_code(event.sub_district_id))
        else event.sub_district_id
    )
    action = request.POST.get("action")
    form = (
        HandoutHoldForm(request.POST)
        if action == "held"
        else HandoutPostponeForm(request.POST)
        if action == "postponed"
        else None
    )
    if form is None:
        messages.error(request, _("Langkah tidak dikenal."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        if action == "held":
            handout_event_hold(event=event, user=request.user, **form.cleaned_data)
        else:
            handout_event_postpone(event=event, user=request.user, **form.cleaned_data)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Jadwal pembagian kartu diperbarui."))
    return redirect(back)
