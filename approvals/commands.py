"""What the approval commands share: the area, the month and the acting user from the command
line, each refused with a clear message."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext

from districts.codes import region_level
from districts.models import Province, Regency


def period_arguments(parser, *, area_help: str) -> None:
    parser.add_argument("area", help=area_help)
    parser.add_argument("month", help="The month as YYYY-MM, e.g. 2012-04.")
    parser.add_argument("--user", required=True, help="Username of the admin acting.")


def period_month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise CommandError(
            gettext("Bulan %(month)s tidak dikenal; tulis TTTT-BB, mis. 2012-04.") % {"month": text}
        ) from None


def period_area(code: str, *, levels: tuple[int, ...]):
    """The province or regency with `code`, when its level is one of `levels`."""
    model = {1: Province, 2: Regency}.get(region_level(code))
    area = (
        model.objects.filter(code=code).first() if model and region_level(code) in levels else None
    )
    if area is None:
        raise CommandError(
            gettext("Wilayah %(area)s bukan kode %(levels)s yang dikenal.")
            % {
                "area": code,
                "levels": gettext(" atau ").join(
                    [gettext("provinsi"), gettext("kabupaten/kota")][level - 1] for level in levels
                ),
            }
        )
    return area


def period_user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(gettext("Pengguna %(user)s tidak ada.") % {"user": username})
    return user
