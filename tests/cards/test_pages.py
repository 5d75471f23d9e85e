"""The card pages: the daily report grid, the blanko ledger and the hand-out events, as the
people who use them see them."""

import pytest
from django.urls import reverse

from cards.models import BlankoStock, CardReport
from tests.cards.conftest import DAY
from tests.conftest import OKU_TIMUR

ENTRY = reverse("card_entry")
LEDGER = reverse("blanko_ledger")
HANDOUTS = reverse("handout_events")


def _entry_url(area=OKU_TIMUR, day=DAY):
    return f"{ENTRY}?area={area}&date={day:%Y-%m-%d}"


@pytest.fixture
def op_client(client, operator_oku_timur, frozen_today):
    client.force_login(operator_oku_timur)
    return client


def test_operator_saves_a_days_print_figures(op_client, receive):
    receive(quantity=500)
    response = op_client.post(
        _entry_url(),
        {
            f"print_ready-{OKU_TIMUR}": "300",
            f"printed-{OKU_TIMUR}": "120",
            f"spoiled-{OKU_TIMUR}": "3",
            f"version-{OKU_TIMUR}": "0",
        },
    )
    assert response.status_code == 302
    report = CardReport.objects.get(regency=OKU_TIMUR, date=DAY)
    assert report.figures() == {
        "print_ready": 300,
        "duplicates": None,
        "failed": None,
        "printed": 120,
        "spoiled": 3,
        "suket_issued": None,
    }
    assert BlankoStock.objects.get(regency=OKU_TIMUR).stock == 377
    page = op_client.get(_entry_url()).content.decode()
    assert f'name="printed-{OKU_TIMUR}" id="printed-{OKU_TIMUR}" value="120"' in page
