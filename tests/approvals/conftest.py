"""The approval tests' world: OKU Timur's admins at each level, an outsider, one station."""

import datetime as dt

import pytest

from districts.choices import Role
from districts.models import Regency
from recording.models import DailyCount
from tests.conftest import OKU_SELATAN, OKU_TIMUR, SUMSEL

MARCH = dt.date(2012, 3, 1)


@pytest.fixture
def timur(db):
    return Regency.objects.get(code=OKU_TIMUR)


@pytest.fixture
def admin_timur(make_user):
    return make_user("admin_timur", Role.ADMIN, OKU_TIMUR, first_name="Rina", last_name="Sari")


@pytest.fixture
def admin_sumsel(make_user):
    return make_user("admin_sumsel", Role.ADMIN, SUMSEL)


@pytest.fixture
def admin_selatan(make_user):
    return make_user("admin_selatan", Role.ADMIN, OKU_SELATAN)


@pytest.fixture
def station(make_device):
    """One station of Martapura (OKU Timur), in service since September 2011."""
    return make_device("16.08.01", serial="OKUT-01", daily_capacity=100)


def march_reports(device, days: int = 31) -> None:
    """The station's reports for the first `days` days of March 2012 (10 recorded each)."""
    DailyCount.objects.bulk_create(
        DailyCount(device=device, date=MARCH + dt.timedelta(days=n), count=10) for n in range(days)
    )
