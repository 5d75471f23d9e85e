"""How a card page finds its area: `?area=CODE` inside the user's areas (404 otherwise), of a
level the page serves; without a code, the user's own area when it is of that level."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext

from districts.codes import region_level
from districts.models import Regency
from districts.selectors import UserScope
from recording.views.access import region_for_user

REGENCY, SUB_DISTRICT = 2, 3


def area_for_page(user, code: str, *, scope: UserScope, levels: tuple[int, ...]):
    """The region the page is about, or None when the user must pick a regency first."""
    if not code:
        code = scope.home_code
        if not code or region_level(code) not in levels:
            return None
    region = region_for_user(user, code, scope=scope)
    if region_level(code) not in levels:
        raise Http404(gettext("Halaman ini untuk kabupaten/kota atau kecamatan."))
    return region


def area_picker(request, *, scope: UserScope, title: str, url_name: str, extra: str = ""):
    """A list of the regencies in the user's areas, each a link to the page for it."""
    regencies = (
        Regency.objects.filter(scope.filter_q("code")).select_related("province").order_by("code")
    )
    return render(
        request,
        "cards/pick_area.html",
        {"title": title, "regencies": regencies, "url_name": url_name, "extra": extra},
    )
