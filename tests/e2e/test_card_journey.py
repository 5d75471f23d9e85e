"""The card journey in a real browser: a regency's print office's day and a kecamatan's hand-out.

OKU Timur's admin records 5,000 blanko from the ministry; the print office's operator types the
day's six figures with the keyboard, prints more than the blanko in stock (refused with the
figures, nothing written), corrects and saves; Martapura's operator records the cards received
and handed out (more handed out than received: refused), schedules a hand-out still waiting for
the Bupati's day, then marks it held; the regency's dashboard shows it all in "Perjalanan kartu".
Only the region list is loaded (no demo), so every figure below is written out by hand.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from cards.models import BlankoMovement, BlankoStock, CardReport, HandoutEvent
from districts.choices import Role
from tests.conftest import MARTAPURA, OKU_TIMUR

pytestmark = pytest.mark.e2e

PASSWORD = "rahasia-uji-123"  # tests/conftest.py's make_user
RECEIPT_DAY = "2012-04-16"
DAY = dt.date(2012, 4, 17)  # the print run and the hand-out, a Tuesday
PRINTER, KECAMATAN, ADMIN = "op_cetak_okutimur", "op_martapura", "admin_okutimur"


@pytest.fixture
def people(make_user, live_server):
    make_user(PRINTER, Role.OPERATOR, OKU_TIMUR)
    make_user(KECAMATAN, Role.OPERATOR, MARTAPURA)
    make_user(ADMIN, Role.ADMIN, OKU_TIMUR, is_staff=True)


def _stock() -> int:
    return BlankoStock.objects.get(regency=OKU_TIMUR).stock


def _receive_blanko(page: Page):
    page.goto(f"/kartu/blanko/?area={OKU_TIMUR}")
    receipt = page.locator("form:has(input[name=action][value=receipt])")
    receipt.get_by_label("Tanggal diterima").fill(RECEIPT_DAY)
    receipt.get_by_label("Jumlah blanko").fill("5.000")
    receipt.get_by_label("Nomor surat").fill("470/1234/Dukcapil")
    receipt.get_by_role("button", name="Simpan").click()
    expect(page.locator(".messages .success")).to_have_text("Penerimaan 5.000 blanko dicatat.")
    expect(page.locator("[data-blanko-stock]")).to_have_text("5.000")


def _print_office_day(page: Page, screenshot):
    page.goto(f"/kartu/entri/?area={OKU_TIMUR}&date={DAY.isoformat()}")
    expect(page.locator("h1")).to_contain_text("17 Apr 2012")
    office = "Ogan Komering Ulu Timur"
    printed = page.get_by_label(f"Dicetak Kabupaten {office}")
    save = page.get_by_role("button", name="Simpan semua")

    # Along the print office's row by Tab; Enter in its last figure goes to the save button
    # (no kecamatan has a suket column), and Enter there saves.
    page.get_by_label(f"Siap cetak (PRR) Kabupaten {office}").focus()
    for typed in ("2400", "12", "5", "5200", "30"):
        page.keyboard.type(typed)
        page.keyboard.press("Tab")
    expect(page.get_by_label(f"Suket diterbitkan Kabupaten {office}")).to_be_focused()
    page.keyboard.type("40")
    page.keyboard.press("Enter")
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text(
        "Belum ada yang disimpan: 1 kesalahan perlu diperbaiki."
    )
    expect(summary.get_by_role("link")).to_have_text(
        "Blanko tidak cukup: stok 5.000, dicetak 5.200 + rusak 30."
    )
    expect(printed).to_have_value("5200")  # what was typed is kept
    expect(printed).to_have_attribute("aria-invalid", "true")
    assert CardReport.objects.count() == 0
    assert _stock() == 5_000
    assert not BlankoMovement.objects.filter(kind="use").exists()
    screenshot("kartu-1-cetak-ditolak")

    page.keyboard.press("Tab")  # the summary's link to the figure at fault
    page.keyboard.press("Enter")
    expect(printed).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("1.950")  # as Indonesians write it
    page.keyboard.press("Enter")
    expect(save).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages .success")).to_have_text(
        "Tersimpan: 1 baru, 0 diperbarui, 0 tidak berubah."
    )
    expect(printed).to_have_value("1950")
    report = CardReport.objects.get(regency=OKU_TIMUR, date=DAY)
    assert report.figures() == {
        "print_ready": 2_400,
        "duplicates": 12,
        "failed": 5,
        "printed": 1_950,
        "spoiled": 30,
        "suket_issued": 40,
    }
    assert _stock() == 5_000 - 1_950 - 30


def _kecamatan_hand_out(page: Page, screenshot):
    page.goto(f"/kartu/entri/?area={MARTAPURA}&date={DAY.isoformat()}")
    received = page.get_by_label("Diterima kecamatan Martapura")
    handed_out = page.get_by_label("Dibagikan Martapura")
    received.focus()
    page.keyboard.type("1.200")
    page.keyboard.press("Tab")
    expect(handed_out).to_be_focused()
    page.keyboard.type("1.500")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        "Kartu di 16.08.01 Martapura tidak cukup: tersedia 1.200 (diterima dikurangi yang "
        "sudah dibagikan), dibagikan 1.500."
    )
    assert not CardReport.objects.filter(sub_district=MARTAPURA).exists()
    screenshot("kartu-2-dibagikan-ditolak")

    handed_out.fill("1.150")
    page.get_by_role("button", name="Simpan semua").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Tersimpan: 1 baru, 0 diperbarui, 0 tidak berubah."
    )
    report = CardReport.objects.get(sub_district=MARTAPURA, date=DAY)
    assert (report.received, report.handed_out) == (1_200, 1_150)


def _hand_out_event(page: Page, screenshot):
    page.goto(f"/kartu/pembagian/?area={MARTAPURA}")
    expect(page.locator("main table tbody")).to_contain_text("Belum ada jadwal pembagian kartu.")
    page.get_by_label("Tempat").fill("Kantor Camat Martapura")
    page.get_by_label("Jumlah kartu direncanakan").fill("1.150")
    page.get_by_label("Keterangan").fill("menunggu jadwal bupati")
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.locator(".messages .success")).to_have_text("Jadwal pembagian kartu dicatat.")
    event = HandoutEvent.objects.get(sub_district=MARTAPURA)
    assert (event.planned_on, event.planned_count, event.status) == (None, 1_150, "planned")
    row = page.locator(f"#jadwal-{event.pk}")
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text("Martapura")
    expect(cells.nth(1)).to_have_text("menunggu jadwal")
    expect(cells.nth(2)).to_have_text("Kantor Camat Martapura menunggu jadwal bupati")
    expect(cells.nth(3)).to_have_text("1.150")
    expect(cells.nth(4)).to_have_text("Direncanakan")
    screenshot("kartu-3-menunggu-jadwal")

    row.get_by_label("Tanggal terlaksana").fill(DAY.isoformat())
    row.get_by_role("button", name="Tandai terlaksana").click()
    expect(page.locator(".messages .success")).to_have_text("Jadwal pembagian kartu diperbarui.")
    expect(cells.nth(4)).to_have_text("Terlaksana 17 Apr 2012")
    event.refresh_from_db()
    assert (event.status, event.held_on) == ("held", DAY)


def _journey_card(page: Page, label: str):
    """A figure of the dashboard's "Perjalanan kartu" section, by its label."""
    return (
        page.locator("section.card-journey section.stats > div")
        .filter(has=page.locator(".label", has_text=re.compile(f"^{re.escape(label)}$")))
        .locator(".value")
    )


def test_a_print_office_day_and_a_hand_out_reach_the_regency_dashboard(
    page: Page, page_log, screenshot, log_in, log_out, people
):
    log_in(ADMIN, PASSWORD)
    _receive_blanko(page)
    log_out()

    log_in(PRINTER, PASSWORD)
    _print_office_day(page, screenshot)
    log_out()

    log_in(KECAMATAN, PASSWORD)
    _kecamatan_hand_out(page, screenshot)
    _hand_out_event(page, screenshot)
    log_out()

    log_in(ADMIN, PASSWORD)
    page.goto(f"/wilayah/{OKU_TIMUR}/?as_of={DAY.isoformat()}")
    journey = page.locator("section.card-journey")
    expect(journey.locator("h2")).to_have_text("Perjalanan kartu")
    expected = {
        "Siap cetak": "2.400",
        "Dicetak": "1.950",
        "Diserahkan": "1.150",
        "Siap cetak belum dicetak": "450",  # 2.400 − 1.950
        "Dicetak belum diserahkan": "800",  # 1.950 − 1.150
        "Rekam ganda/gagal (dipanggil ulang)": "17",  # 12 + 5
        "Suket diterbitkan": "40",
        "Stok blanko": "3.020",  # 5.000 − 1.950 − 30
    }
    for label, value in expected.items():
        expect(_journey_card(page, label), label).to_have_text(value)
    children = journey.locator("table.card-children")
    expect(children.locator("thead th")).to_have_text(
        ["Nama", "Diterima", "Diserahkan", "Belum diserahkan"]
    )
    martapura = children.locator("tbody tr").filter(has_text="Martapura")
    expect(martapura.locator("td")).to_have_text(["1.200", "1.150", "50"])
    journey.scroll_into_view_if_needed()
    screenshot("kartu-4-dasbor-kabupaten")
    page_log.assert_clean()
