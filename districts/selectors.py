"""Reads about regions and about who may see which area."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min, Q
from django.urls import reverse

from .codes import NATIONAL, area_q, code_in_area, region_level
from .models import AreaAssignment, Campaign, Province, Regency, SubDistrict


class RegionNotFound(LookupError):
    """No region has this code (unknown, or not a region code at all)."""


def region_get(code: str):
    """The region with this code, None for the whole country; `RegionNotFound` otherwise."""
    model = {1: Province, 2: Regency, 3: SubDistrict}.get(region_level(code))
    if model is None:
        return None
    related = {Province: [], Regency: ["province"], SubDistrict: ["regency__province"]}[model]
    region = model.objects.select_related(*related).filter(code=code).first()
    if region is None:
        raise RegionNotFound(code)
    return region


def campaign_starts_by_regency(regency_codes: set[str]) -> dict[str, dt.date]:
    """The day each regency's first recording campaign began (no figure of the e-KTP journey,
    recorded or printed, can be older), for the regencies that have one."""
    return dict(
        Campaign.objects.filter(regency__in=regency_codes)
        .values("regency")
        .annotate(first=Min("starts_on"))
        .values_list("regency", "first")
        .order_by()
    )


def regencies_all():
    """Every regency with its province, in code order (an admin's choice of area)."""
    return Regency.objects.select_related("province").order_by("code")


def region_ancestors(region) -> list:
    """From the province down to the region's parent (for breadcrumbs), without queries."""
    if isinstance(region, SubDistrict):
        return [region.regency.province, region.regency]
    if isinstance(region, Regency):
        return [region.province]
    return []


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb trail; `url` is empty where the user may not go."""

    name: str
    url: str = ""


def region_crumbs(scope: "UserScope", region) -> list[Crumb]:
    """Indonesia, then the province, regency and kecamatan down to `region` itself, each linked
    only if the user may open it: a crumb must never lead to a 404 (a viewer of one province
    cannot open the national page; an operator of a regency, not its province)."""
    chain = [(NATIONAL, "Indonesia", reverse("national"))]
    areas = [*region_ancestors(region), *([region] if region is not None else [])]
    chain += [(area.code, area.name, area.get_absolute_url()) for area in areas]
    return [Crumb(name, url if scope.covers(code) else "") for code, name, url in chain]


@dataclass(frozen=True)
class UserScope:
    """The area codes a user works in; an empty national scope means everything."""

    codes: tuple[str, ...]
    everywhere: bool

    def covers(self, code: str) -> bool:
        if self.everywhere:
            return True
        return any(code_in_area(code, area) for area in self.codes)

    def filter_q(self, field: str = "sub_district__code") -> Q:
        """Rows whose sub-district code (at `field`) lies in the scope; nothing when empty."""
        if self.everywhere:
            return Q()
        q = Q(pk__in=[])
        for area in self.codes:
            q |= area_q(area, field)
        return q

    @property
    def home_code(self) -> str:
        return NATIONAL if self.everywhere or not self.codes else self.codes[0]


def user_scope(user) -> UserScope:
    if not user.is_authenticated:
        return UserScope(codes=(), everywhere=False)
    if user.is_superuser:
        return UserScope(codes=(), everywhere=True)
    # Widest area first, then by code: the first is the user's home page, and ordering by the
    # three nullable columns put a kecamatan before a regency on SQLite (NULLs first) but not
    # on PostgreSQL (NULLs last).
    codes = tuple(
        sorted(
            (a.area_code for a in AreaAssignment.objects.filter(user=user)),
            key=lambda code: (region_level(code), code),
        )
    )
    return UserScope(codes=codes, everywhere=False)
