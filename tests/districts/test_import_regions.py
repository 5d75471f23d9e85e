"""The bundled Kemendagri region list: a full load, and re-runs that change nothing or repair."""

from io import StringIO

import pytest
from django.core.management import call_command

from districts.choices import RegencyKind
from districts.models import Province, Regency, SubDistrict
from districts.services import regions_import

pytestmark = pytest.mark.django_db

FULL_LIST = {"provinsi": 38, "kabupaten/kota": 514, "kecamatan": 7285}
NOTHING = {"provinsi": 0, "kabupaten/kota": 0, "kecamatan": 0}


def _empty_region_tree():
    # Children first: the tree is PROTECTed. The test's transaction brings it all back.
    SubDistrict.objects.all().delete()
    Regency.objects.all().delete()
    Province.objects.all().delete()


def _region_rows():
    return (
        list(Province.objects.values_list("code", "name")),
        list(Regency.objects.values_list("code", "province_id", "name", "kind")),
        list(SubDistrict.objects.values_list("code", "regency_id", "name")),
    )


def test_import_into_empty_tree_loads_the_official_list():
    _empty_region_tree()
    assert SubDistrict.objects.count() == 0

    result = regions_import()

    assert result.created == FULL_LIST
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(kind=RegencyKind.KABUPATEN).count() == 416
    assert Regency.objects.filter(kind=RegencyKind.KOTA).count() == 98
    assert SubDistrict.objects.count() == 7285
    buay_madang_timur = SubDistrict.objects.select_related("regency__province").get(code="16.08.12")
    assert buay_madang_timur.name == "Buay Madang Timur"
    assert buay_madang_timur.regency.name == "Kabupaten Ogan Komering Ulu Timur"
    assert buay_madang_timur.regency.province.name == "Sumatera Selatan"
    assert Regency.objects.get(code="16.71").kind == RegencyKind.KOTA


def test_command_shows_progress_on_stderr_and_prints_the_same_summary(terminal):
    SubDistrict.objects.filter(code="16.08.12").update(name="Buay Madang Timur (lama)")
    out = StringIO()

    call_command("import_regions", stdout=out, stderr=terminal)

    assert out.getvalue() == (
        "Wilayah dimuat. provinsi: 0 baru, 0 diperbarui, 38 tetap; "
        "kabupaten/kota: 0 baru, 0 diperbarui, 514 tetap; "
        "kecamatan: 0 baru, 1 diperbarui, 7284 tetap\n"
    )
    assert terminal.getvalue() == (
        "\rMemuat provinsi…\rMemuat provinsi: selesai dalam 0:00\n"
        "\rMemuat kabupaten/kota…\rMemuat kabupaten/kota: selesai dalam 0:00\n"
        "\rMemuat kecamatan…\rMemuat kecamatan: 1/1 (100%), selesai dalam 0:00\n"
    )


def test_command_with_verbosity_0_shows_no_progress(terminal):
    call_command("import_regions", verbosity=0, stdout=StringIO(), stderr=terminal)

    assert terminal.getvalue() == ""


def test_import_run_twice_leaves_the_same_rows():
    regions_import()
    before = _region_rows()

    result = regions_import()

    assert result.created == NOTHING
    assert result.updated == NOTHING
    assert result.unchanged == FULL_LIST
    assert _region_rows() == before


def test_renamed_region_is_updated_not_duplicated():
    Regency.objects.filter(code="16.08").update(name="Kabupaten OKU Timur (lama)")
    SubDistrict.objects.filter(code="16.08.12").update(name="Buay Madang Tim.")

    result = regions_import()

    assert result.updated == {"provinsi": 0, "kabupaten/kota": 1, "kecamatan": 1}
    assert result.created == NOTHING
    assert Regency.objects.get(code="16.08").name == "Kabupaten Ogan Komering Ulu Timur"
    assert SubDistrict.objects.get(code="16.08.12").name == "Buay Madang Timur"
    assert Regency.objects.count() == 514
    assert SubDistrict.objects.count() == 7285


def test_import_regions_command_reports_what_it_did():
    _empty_region_tree()
    first, second = StringIO(), StringIO()

    call_command("import_regions", stdout=first)
    call_command("import_regions", stdout=second)

    assert "Wilayah dimuat." in first.getvalue()
    assert "kecamatan: 7285 baru, 0 diperbarui, 0 tetap" in first.getvalue()
    assert "provinsi: 0 baru, 0 diperbarui, 38 tetap" in second.getvalue()
    assert "kecamatan: 0 baru, 0 diperbarui, 7285 tetap" in second.getvalue()
    assert SubDistrict.objects.count() == 7285
