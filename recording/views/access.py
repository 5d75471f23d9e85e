"""The one way a view finds what a user asked for by address: a region or a device inside the
user's areas, or a 404 that does not say whether it exists elsewhere (as healthchecks'
`_get_check_for_user`). Selectors stay free of HTTP; this is where "not yours" becomes a 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from districts.selectors import RegionNotFound, UserScope, region_get, user_scope
from recording.models import RecordingDevice


def region_for_user(user, code: str, *, scope: UserScope | None = None):
    """The region with `code` (None for the whole country) if it lies in the user's areas
    (`scope`, when the view already has it)."""
    if not (scope or user_scope(user)).covers(code):
        raise Http404(gettext("Wilayah di luar area Anda."))
    try:
        return region_get(code)
    except RegionNotFound:
        raise Http404(
            gettext("Wilayah dengan kode %(code)s tidak ditemukan.") % {"code": code}
        ) from None


def device_for_user(
    user,
    serial: str,
    *,
    scope: UserScope | None = None,
    permission: str | None = None,
    related: tuple[str, ...] = ("sub_district__regency__province",),
) -> RecordingDevice:
    """The device if it lies in the user's areas (404 otherwise, unknown or not) and, when a
    `permission` is named, the user holds it (403 otherwise)."""
    device = RecordingDevice.objects.select_related(*related).filter(serial=serial).first()
    if device is None or not (scope or user_scope(user)).covers(device.sub_district_id):
        raise Http404(gettext("Alat tidak ditemukan di area Anda."))
    if permission and not user.has_perm(permission):
        raise PermissionDenied(gettext("Anda tidak berwenang melakukan langkah ini."))
    return device
