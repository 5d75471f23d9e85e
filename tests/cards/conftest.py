"""Builders for the card journey's tests: report rows, a regency's blanko, a kecamatan operator."""

import datetime as dt

import pytest

from cards.services.blanko import blanko_receipt_record
from cards.services.reports import ReportRow, card_reports_save
from districts.choices import Role
from districts.models import Regency, SubDistrict
from tests.conftest import OKU_TIMUR

DAY = dt.date(2012, 4, 16)
KEC = "16.08.01"


def row(area: str, date: dt.date = DAY, line: int = 1, **figures) -> ReportRow:
    model = Regency if area.count(".") == 1 else SubDistrict
    return ReportRow(line=line, area=model.objects.get(code=area), date=date, figures=figures)


@pytest.fixture
def save(db):
    """Save report rows as the system (no user) unless one is given."""

    def run(*rows, user=None):
        return card_reports_save(rows=list(rows), user=user)

    return run


@pytest.fixture
def receive(db):
    def run(code: str = OKU_TIMUR, quantity: int = 1_200, date: dt.date = dt.date(2012, 4, 1)):
        return blanko_receipt_record(
            regency=Regency.objects.get(code=code),
            date=date,
            quantity=quantity,
            reference=f"470/{quantity}/Dukcapil",
            user=None,
        )

    return run


@pytest.fixture
def operator_kecamatan(make_user):
    return make_user("op_kec", Role.OPERATOR, KEC)


@pytest.fixture
def admin_oku_timur(make_user):
    return make_user("admin_okutimur", Role.ADMIN, OKU_TIMUR, is_staff=True)
