"""The card pages: the daily report grid, the blanko ledger and the hand-out events, as the
people who use them see them."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from cards.models import BlankoMovement, BlankoStock, BlankoTransfer, CardReport, HandoutEvent
from districts.choices import Role
from districts.models import SubDistrict
from tests.cards.conftest import DAY, KEC
from tests.conftest import OKU_SELATAN, OKU_TIMUR, SUMSEL

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


def _martapura_url(day=DAY):
    return _entry_url(area=KEC, day=day)


def test_kecamatan_operator_saves_a_hand_out(client, operator_kecamatan, frozen_today):
    client.force_login(operator_kecamatan)
    response = client.post(
        _martapura_url(),
        {f"received-{KEC}": "2.000", f"handed_out-{KEC}": "150", f"version-{KEC}": "0"},
    )
    assert response.status_code == 302
    report = CardReport.objects.get(sub_district=KEC, date=DAY)
    assert (report.received, report.handed_out) == (2000, 150)
    # The kecamatan operator's grid has only Martapura's row, with the two kecamatan columns.
    page = client.get(_martapura_url()).content.decode()
    assert re.findall(r'name="([a-z_]+-[0-9.]+)"', page) == [
        f"version-{KEC}",
        f"received-{KEC}",
        f"handed_out-{KEC}",
    ]


def test_printing_beyond_the_stock_is_refused_with_the_figures_and_writes_nothing(
    op_client, receive
):
    receive(quantity=100)
    response = op_client.post(
        _entry_url(),
        {
            f"printed-{OKU_TIMUR}": "120",
            f"spoiled-{OKU_TIMUR}": "5",
            f"version-{OKU_TIMUR}": "0",
            # A kecamatan's valid row in the same save is not written either.
            f"received-{KEC}": "40",
            f"version-{KEC}": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    summary = page.index("data-error-summary")
    assert summary < page.index(f'id="printed-{OKU_TIMUR}"')
    assert (
        f'<a href="#printed-{OKU_TIMUR}">Blanko tidak cukup: stok 100, dicetak 120 + rusak 5.</a>'
        in page
    )
    # What was typed is still there, and the refused input is marked.
    assert f'id="printed-{OKU_TIMUR}" value="120"' in page
    assert f'id="received-{KEC}" value="40"' in page
    assert 'aria-invalid="true"' in page
    assert CardReport.objects.count() == 0
    assert BlankoStock.objects.get(regency=OKU_TIMUR).stock == 100
    assert BlankoMovement.objects.filter(kind="use").count() == 0


def test_a_figure_that_is_not_a_number_is_named_and_nothing_is_written(op_client):
    response = op_client.post(
        _entry_url(), {f"printed-{OKU_TIMUR}": "dua", f"received-{KEC}": "12"}
    )
    assert response.status_code == 200
    assert "“dua” bukan angka bulat 0 sampai 10.000.000." in response.content.decode()
    assert CardReport.objects.count() == 0


def test_an_outsider_gets_404_and_writes_nothing(client, operator_oku_selatan, frozen_today):
    client.force_login(operator_oku_selatan)
    assert client.get(_entry_url()).status_code == 404
    response = client.post(_entry_url(), {f"received-{KEC}": "5", f"version-{KEC}": "0"})
    assert response.status_code == 404
    assert client.get(f"{LEDGER}?area={OKU_TIMUR}").status_code == 403
    assert client.get(f"{HANDOUTS}?area={OKU_TIMUR}").status_code == 404
    assert CardReport.objects.count() == 0


def test_keyboard_order_day_field_before_the_grid_and_no_positive_tabindex(op_client):
    page = op_client.get(_entry_url()).content.decode()
    assert not re.search(r'tabindex="[1-9]', page)
    inputs = re.findall(r'<input type="(?:text|date)"[^>]* id="([^"]+)"', page)
    assert inputs[0] == "entry-date"
    assert inputs[1:4] == [
        f"print_ready-{OKU_TIMUR}",
        f"duplicates-{OKU_TIMUR}",
        f"failed-{OKU_TIMUR}",
    ]
    kecamatan = SubDistrict.objects.filter(regency=OKU_TIMUR).count()
    assert kecamatan == 20
    assert page.count('inputmode="numeric"') == 6 + 2 * kecamatan


def test_query_counts_of_the_entry_page_do_not_grow_with_its_rows(
    op_client, receive, django_assert_max_num_queries
):
    """Measured: GET 8 queries, POST of all 21 rows 22 (session, user, scope, locks, check,
    bulk writes, the redirect's message)."""
    receive(quantity=1_000)
    with django_assert_max_num_queries(10):
        assert op_client.get(_entry_url()).status_code == 200
    data = {f"printed-{OKU_TIMUR}": "10", f"version-{OKU_TIMUR}": "0"}
    codes = SubDistrict.objects.filter(regency=OKU_TIMUR).values_list("code", flat=True)
    data |= {f"received-{code}": "1" for code in codes}
    with django_assert_max_num_queries(25):
        assert op_client.post(_entry_url(), data).status_code == 302
    assert CardReport.objects.count() == 21
    with django_assert_max_num_queries(10):
        assert op_client.get(_entry_url()).status_code == 200


@pytest.fixture
def province_admin(make_user, frozen_today):
    """An admin of South Sumatra: manages the ledgers of OKU Timur and OKU Selatan."""
    return make_user("admin_sumsel", Role.ADMIN, SUMSEL, is_staff=True)


def _ledger(code=OKU_TIMUR):
    return f"{LEDGER}?area={code}"


def test_ledger_receipt_transfer_and_correction_through_the_page(client, province_admin):
    client.force_login(province_admin)
    receipt = {
        "action": "receipt",
        "receipt-date": "2012-04-10",
        "receipt-quantity": "1.200",
        "receipt-reference": "470/88/Dukcapil",
    }
    response = client.post(_ledger(), receipt, follow=True)
    assert "Penerimaan 1.200 blanko dicatat." in response.content.decode()
    transfer = {
        "action": "transfer",
        "transfer-to_regency": OKU_SELATAN,
        "transfer-date": "2012-04-12",
        "transfer-quantity": "200",
    }
    assert client.post(_ledger(), transfer).status_code == 302
    correction = {
        "action": "correction",
        "correction-date": "2012-04-14",
        "correction-quantity": "-7",
        "correction-reason": "Stok opname: 7 blanko rusak di gudang",
    }
    assert client.post(_ledger(), correction).status_code == 302
    stocks = dict(BlankoStock.objects.values_list("regency", "stock"))
    assert stocks == {OKU_TIMUR: 993, OKU_SELATAN: 200}
    assert BlankoTransfer.objects.get().quantity == 200
    page = client.get(_ledger()).content.decode()
    assert "Stok opname: 7 blanko rusak di gudang" in page
    assert "993" in page


def test_ledger_refusal_is_shown_with_its_message_and_writes_nothing(client, province_admin):
    client.force_login(province_admin)
    response = client.post(
        _ledger(),
        {
            "action": "transfer",
            "transfer-to_regency": OKU_SELATAN,
            "transfer-date": "2012-04-12",
            "transfer-quantity": "50",
        },
    )
    assert response.status_code == 200
    assert (
        "Blanko Kabupaten Ogan Komering Ulu Timur tidak cukup: stok 0 pada 12 Apr 2012, "
        "dipindahkan 50." in response.content.decode()
    )
    assert BlankoTransfer.objects.count() == 0
    assert BlankoMovement.objects.count() == 0


def test_reorder_point_set_through_the_page(client, province_admin):
    client.force_login(province_admin)
    data = {"action": "reorder", "reorder-reorder_point": "1.000"}
    assert client.post(_ledger(), data).status_code == 302
    assert BlankoStock.objects.get(regency=OKU_TIMUR).reorder_point == 1000
    data["reorder-reorder_point"] = "2.000"
    assert client.post(_ledger(), data).status_code == 302

    page = client.get(_ledger()).content.decode()
    assert "Batas terakhir diubah oleh admin_sumsel" in page
    assert "(sebelumnya 1.000)" in page


def test_hand_out_scheduled_without_a_day_waits_then_is_postponed(op_client):
    data = {"sub_district": KEC, "planned_count": "2.000", "note": "menunggu jadwal bupati"}
    assert op_client.post(f"{HANDOUTS}?area={OKU_TIMUR}", data).status_code == 302
    event = HandoutEvent.objects.get()
    assert (event.planned_on, event.planned_count, event.status) == (None, 2000, "planned")
    page = op_client.get(f"{HANDOUTS}?area={KEC}").content.decode()
    assert "menunggu jadwal" in page
    step = reverse("handout_event_step", args=[event.pk])
    op_client.post(step, {"action": "postponed", "reason": "", "back": KEC})
    event.refresh_from_db()
    assert event.status == "planned"
    op_client.post(step, {"action": "postponed", "reason": "Bupati dinas luar", "back": KEC})
    event.refresh_from_db()
    assert (event.status, event.postponed_reason) == ("postponed", "Bupati dinas luar")


def test_hand_out_marked_held(op_client):
    op_client.post(
        f"{HANDOUTS}?area={KEC}",
        {"sub_district": KEC, "planned_on": "2012-04-18", "planned_count": "40"},
    )
    event = HandoutEvent.objects.get()
    step = reverse("handout_event_step", args=[event.pk])
    response = op_client.post(step, {"action": "held", "held_on": "2012-04-18"}, follow=True)
    assert "Jadwal pembagian kartu diperbarui." in response.content.decode()
    event.refresh_from_db()
    assert (event.status, event.held_on) == ("held", dt.date(2012, 4, 18))


def test_a_step_on_another_regencys_hand_out_is_404_and_changes_nothing(
    client, op_client, operator_oku_selatan
):
    op_client.post(f"{HANDOUTS}?area={KEC}", {"sub_district": KEC, "planned_count": "40"})
    event = HandoutEvent.objects.get()
    step = reverse("handout_event_step", args=[event.pk])
    # Its own operator goes back to the list it came from, never elsewhere.
    response = op_client.post(step, {"action": "postponed", "reason": "Hujan", "back": "//x"})
    assert response["Location"] == f"{HANDOUTS}?area={KEC}"
    client.force_login(operator_oku_selatan)
    response = client.post(step, {"action": "held", "held_on": "2012-04-18"})
    assert response.status_code == 404
    event.refresh_from_db()
    assert (event.status, event.held_on) == ("postponed", None)
