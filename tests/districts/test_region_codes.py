"""Region codes sit under their parent's code, in Python validation and in the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from districts.models import EligiblePopulation, Regency, SubDistrict

pytestmark = pytest.mark.django_db


def test_full_clean_refuses_sub_district_outside_its_regency_naming_both_codes():
    stray = SubDistrict(code="16.09.99", name="Kecamatan Uji", regency_id="16.08")

    with pytest.raises(ValidationError) as refused:
        stray.full_clean()

    assert any("16.09.99" in m and "16.08" in m for m in refused.value.message_dict["code"])


def test_full_clean_refuses_malformed_code():
    malformed = SubDistrict(code="16.8.1", name="Kecamatan Uji", regency_id="16.08")

    with pytest.raises(ValidationError) as refused:
        malformed.full_clean()

    assert "Kode wilayah harus berbentuk 16.08.12." in refused.value.message_dict["code"]


def test_full_clean_refuses_malformed_regency_code():
    malformed = Regency(code="16.8", name="Kabupaten Uji", province_id="16")

    with pytest.raises(ValidationError) as refused:
        malformed.full_clean()

    assert "Kode wilayah harus berbentuk 16.08." in refused.value.message_dict["code"]


def test_database_refuses_sub_district_outside_its_regency():
    with pytest.raises(IntegrityError), transaction.atomic():
        SubDistrict.objects.create(code="16.09.99", name="Kecamatan Uji", regency_id="16.08")

    assert not SubDistrict.objects.filter(code="16.09.99").exists()


def test_database_refuses_regency_outside_its_province():
    with pytest.raises(IntegrityError), transaction.atomic():
        Regency.objects.create(code="16.99", name="Kabupaten Uji", province_id="11")

    assert not Regency.objects.filter(code="16.99").exists()


def test_well_formed_sub_district_is_accepted():
    new = SubDistrict(code="16.08.99", name="Kecamatan Uji", regency_id="16.08")

    new.full_clean()
    new.save()

    assert SubDistrict.objects.filter(regency__code="16.08").count() == 21
    assert SubDistrict.objects.get(code="16.08.99").regency.name == (
        "Kabupaten Ogan Komering Ulu Timur"
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2011, 6, 29), {}),
        (dt.date(2011, 6, 30), {"16.08.12": 1000}),
        (dt.date(2012, 3, 1), {"16.08.12": 1000, "16.08.01": 500}),
        (dt.date(2012, 6, 30), {"16.08.12": 1200, "16.08.01": 500}),
        (dt.date(2013, 1, 1), {"16.08.12": 1200, "16.08.01": 500}),
    ],
)
def test_current_population_is_latest_figure_on_or_before_the_date(as_of, expected):
    EligiblePopulation.objects.create(sub_district_id="16.08.12", as_of="2011-06-30", eligible=1000)
    EligiblePopulation.objects.create(sub_district_id="16.08.12", as_of="2012-06-30", eligible=1200)
    EligiblePopulation.objects.create(sub_district_id="16.08.01", as_of="2012-01-01", eligible=500)

    current = EligiblePopulation.objects.current(as_of)

    assert dict(current.values_list("sub_district_id", "eligible")) == expected
