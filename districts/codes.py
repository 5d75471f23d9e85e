"""Kemendagri region codes, the one home for what a code says: its level, the province and
regency it lies in, and whether a code lies inside an area.

A province is `16`, a regency `16.08`, a sub-district (kecamatan) `16.08.12`; "" is the whole
country. Every segment has a fixed width, so a code's prefix of 2 or 5 characters is its
province or regency, which lets queries group by a prefix instead of joining up the tree.
"""

from django.db.models import Q

NATIONAL = ""
PROVINCE_CODE_LENGTH = 2
REGENCY_CODE_LENGTH = 5
SUB_DISTRICT_CODE_LENGTH = 8
# The length of a child's code, by the level of its parent (0 national … 2 regency).
CHILD_CODE_LENGTH = {0: PROVINCE_CODE_LENGTH, 1: REGENCY_CODE_LENGTH, 2: SUB_DISTRICT_CODE_LENGTH}


def region_level(code: str) -> int:
    """0 national, 1 province, 2 regency, 3 sub-district."""
    return 0 if code == NATIONAL else code.count(".") + 1


def province_code(code: str) -> str:
    return code[:PROVINCE_CODE_LENGTH]


def regency_code(code: str) -> str:
    """The regency of a regency or sub-district code (a province's code is returned as is)."""
    return code[:REGENCY_CODE_LENGTH]


def code_in_area(code: str, area: str) -> bool:
    """Whether `code` is `area` or lies under it ("" contains everything)."""
    return area == NATIONAL or code == area or code.startswith(f"{area}.")


def area_q(area: str, field: str = "sub_district__code") -> Q:
    """Rows whose code at `field` is `area` or lies under it ("" = the whole country)."""
    if area == NATIONAL:
        return Q()
    return Q(**{field: area}) | Q(**{f"{field}__startswith": f"{area}."})
