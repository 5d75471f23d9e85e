"""The fast addresses of dashboards and devices are the ones `reverse()` gives."""

import pytest
from django.urls import reverse, set_script_prefix

from recording.links import device_url, region_url


@pytest.mark.parametrize("code", ["16", "16.08", "16.08.12"])
def test_a_region_url_is_the_reversed_one(code):
    assert region_url(code) == reverse("region", kwargs={"code": code}) == f"/wilayah/{code}/"


def test_the_whole_country_is_the_national_page():
    assert region_url("") == reverse("national") == "/wilayah/"


@pytest.mark.parametrize("serial", ["SMS-1608-01-1", "OKUT_BMT.01", "7"])
def test_a_device_url_is_the_reversed_one(serial):
    assert device_url(serial) == reverse("device", kwargs={"serial": serial})
    assert device_url(serial) == f"/alat/{serial}/"


def test_an_app_under_a_prefix_gets_prefixed_addresses():
    set_script_prefix("/ektp/")
    try:
        assert region_url("16.08") == "/ektp/wilayah/16.08/"
        assert device_url("SMS-1") == "/ektp/alat/SMS-1/"
        assert region_url("16.08") == reverse("region", kwargs={"code": "16.08"})
    finally:
        set_script_prefix("/")
