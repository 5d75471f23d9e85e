"""What a region code says, written once (`districts.codes`) and used by every area filter."""

import pytest

from districts.codes import area_q, code_in_area, province_code, regency_code, region_level
from districts.models import SubDistrict


@pytest.mark.parametrize(
    ("code", "level", "province", "regency"),
    [
        ("", 0, "", ""),
        ("16", 1, "16", "16"),
        ("16.08", 2, "16", "16.08"),
        ("16.08.12", 3, "16", "16.08"),
    ],
)
def test_a_code_names_its_level_province_and_regency(code, level, province, regency):
    assert region_level(code) == level
    assert province_code(code) == province
    assert regency_code(code) == regency


@pytest.mark.parametrize(
    ("code", "area", "inside"),
    [
        ("16.08.12", "", True),
        ("16.08.12", "16", True),
        ("16.08.12", "16.08", True),
        ("16.08.12", "16.08.12", True),
        ("16.08", "16.08.12", False),
        ("16.09.01", "16.08", False),
        ("61.08.01", "16", False),
    ],
)
def test_a_code_lies_in_an_area_only_under_it(code, area, inside):
    assert code_in_area(code, area) is inside


@pytest.mark.django_db
def test_the_area_filter_selects_the_same_codes_as_the_rule(django_assert_num_queries):
    """On the official region list (loaded for every test database)."""

    def codes(area: str) -> list[str]:
        among = SubDistrict.objects.filter(code__in=["16.08.01", "16.08.12", "16.09.01"])
        return list(
            among.filter(area_q(area, "code")).order_by("code").values_list("code", flat=True)
        )

    with django_assert_num_queries(5):
        assert codes("16.08") == ["16.08.01", "16.08.12"]
        assert codes("16.08.12") == ["16.08.12"]
        assert codes("16") == ["16.08.01", "16.08.12", "16.09.01"]
        assert codes("") == ["16.08.01", "16.08.12", "16.09.01"]
        assert codes("16.0") == []
